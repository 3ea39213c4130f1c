"""Closed loop: the world learns of deliveries from restock's database.

Reads the `deliveries` table (migration 0020), where a delivered order is recorded.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from restock.simulators import queries
from restock.simulators.deliveries import Delivery


class DbDeliveries:
    """A `DeliverySource` over the database. Each delivery is reported once: those
    stamped inside the window, and late-recorded ones stamped before it (applied at the
    current step, as a driver arriving before the paperwork would be)."""

    def __init__(self, conn: queries.Conn) -> None:
        self._conn = conn
        self._seen: set[int] = set()
        self._keys: dict[int, str] = {}

    def deliveries(self, start: datetime, end: datetime) -> Sequence[Delivery]:
        rows = queries.deliveries_until(self._conn, end, self._seen)
        if any(sp not in self._keys for _, sp, _, _, _ in rows):
            self._keys = queries.stock_point_keys(self._conn)
        out = []
        for row_id, sp, at, quantity, ref in rows:
            self._seen.add(row_id)
            out.append(
                Delivery(
                    series_id=self._keys[sp],
                    at=at,
                    quantity=quantity,
                    ref=ref or f"delivery-{row_id}",
                )
            )
        return out
