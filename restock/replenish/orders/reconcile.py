"""Close the loop on deliveries: does the level jump the sensors saw match what was
delivered? A missing or wrong-sized jump is flagged on the order line.

`judge` is pure; `reconcile_deliveries` reads readings around each delivered line and
records the verdict (order_lines.reconciled) plus an order event when it is a mismatch.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from restock.replenish.orders import queries
from restock.replenish.orders.queries import Conn


@dataclass(frozen=True, slots=True, kw_only=True)
class ReconcileConfig:
    """before_hours/after_hours: readings used each side of the delivery; tolerance:
    allowed relative difference between the jump and the delivered quantity; noise:
    allowed absolute difference (units), for small deliveries and sensor noise."""

    before_hours: float = 3.0
    after_hours: float = 3.0
    tolerance: float = 0.25
    noise: float = 1.0


def judge(*, delivered: float, before: float, after: float, config: ReconcileConfig) -> str:
    """ "matched", "no_jump" (the level did not rise by half the delivery) or
    "wrong_size" (it rose, by more than the tolerance away from the delivery)."""
    jump = after - before
    allowed = max(config.tolerance * delivered, config.noise)
    if abs(jump - delivered) <= allowed:
        return "matched"
    if jump < 0.5 * delivered:
        return "no_jump"
    return "wrong_size"


PENDING = """
SELECT l.order_id, l.stock_point_id, l.delivered_quantity, d.delivered_at,
       (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY r.quantity) FROM readings r
        JOIN sensors s ON s.id = r.sensor_id WHERE s.stock_point_id = l.stock_point_id
        AND r.time >= d.delivered_at - %(before)s * interval '1 hour'
        AND r.time < d.delivered_at),
       (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY r.quantity) FROM readings r
        JOIN sensors s ON s.id = r.sensor_id WHERE s.stock_point_id = l.stock_point_id
        AND r.time > d.delivered_at
        AND r.time <= d.delivered_at + %(after)s * interval '1 hour')
FROM order_lines l
JOIN deliveries d ON d.order_ref = 'order:' || l.order_id AND d.stock_point_id = l.stock_point_id
WHERE l.delivered_quantity IS NOT NULL AND l.reconciled IS NULL
  AND d.delivered_at <= %(as_of)s - %(after)s * interval '1 hour'
"""


def reconcile_deliveries(
    conn: Conn, *, as_of: datetime, config: ReconcileConfig | None = None
) -> dict[str, int]:
    """Judge every delivered, unjudged line whose after-window has passed at `as_of`;
    lines without readings on both sides stay unjudged. Returns counts per verdict."""
    cfg = config or ReconcileConfig()
    counts: dict[str, int] = {"matched": 0, "no_jump": 0, "wrong_size": 0}
    row: Any
    params = {"before": cfg.before_hours, "after": cfg.after_hours, "as_of": as_of}
    for row in conn.execute(PENDING, params).fetchall():
        order_id, sp, qty, at, before, after = row
        if before is None or after is None:
            continue
        verdict = judge(delivered=float(qty), before=float(before), after=float(after), config=cfg)
        counts[verdict] += 1
        with conn.transaction():
            conn.execute(
                "UPDATE order_lines SET reconciled = %s"
                " WHERE order_id = %s AND stock_point_id = %s",
                (verdict, order_id, sp),
            )
            if verdict != "matched":
                queries.add_event(
                    conn,
                    order_id,
                    at=as_of,
                    actor="job",
                    action="delivery_mismatch",
                    detail={
                        "stock_point_id": sp,
                        "delivered": qty,
                        "verdict": verdict,
                        "level_before": before,
                        "level_after": after,
                        "delivered_at": at.isoformat(),
                    },
                )
    return counts
