"""Close the loop on deliveries: does the level jump the sensors saw match what was
delivered? A missing or wrong-sized jump is flagged on the order line.

`judge` is pure; `reconcile_deliveries` reads readings around each delivered line and
records the verdict (order_lines.reconciled) plus an audit event when it is a mismatch.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from restock.core.db import Conn
from restock.replenish import queries as shared
from restock.replenish.lifecycle import Entity, OrderStatus
from restock.replenish.orders import queries


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


def reconcile_deliveries(
    conn: Conn, *, as_of: datetime, config: ReconcileConfig | None = None
) -> dict[str, int]:
    """Judge every delivered, unjudged line whose after-window has passed at `as_of`;
    lines without readings on both sides stay unjudged. Returns counts per verdict."""
    cfg = config or ReconcileConfig()
    counts: dict[str, int] = {"matched": 0, "no_jump": 0, "wrong_size": 0}
    pending = queries.reconcile_pending(
        conn, as_of=as_of, before_hours=cfg.before_hours, after_hours=cfg.after_hours
    )
    for order_id, sp, qty, at, before, after in pending:
        if before is None or after is None:
            continue
        verdict = judge(delivered=float(qty), before=float(before), after=float(after), config=cfg)
        counts[verdict] += 1
        with conn.transaction():
            queries.set_reconciled(conn, order_id, sp, verdict)
            if verdict != "matched":
                shared.record(
                    conn,
                    Entity.order,
                    order_id,
                    at=as_of,
                    actor="job",
                    action="delivery_mismatch",
                    from_status=OrderStatus.delivered,
                    to_status=OrderStatus.delivered,
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
