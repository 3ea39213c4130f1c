"""What an order's move does to its triggers (lifecycle.cascade): cancelled with the
order (the rep is told, like of the trigger itself), completed with its delivery.
Runs inside the order service's transaction."""

from __future__ import annotations

from datetime import datetime

from restock.core.db import Conn
from restock.replenish import queries as shared
from restock.replenish.lifecycle import Entity, TriggerStatus, move
from restock.replenish.model import Trigger
from restock.replenish.triggers import queries as tq


def change(
    conn: Conn, t: Trigger, action: str, *, actor: str, at: datetime, reason: str | None = None
) -> TriggerStatus:
    """Apply `action` to a locked trigger, recorded in the audit trail; returns its new
    status. Raises InvalidTransition."""
    to = TriggerStatus(move(Entity.trigger, t.id, t.status, action))
    tq.set_trigger_status(conn, t.id, to, at=at, actor=actor, reason=reason)
    detail = {} if reason is None else {"reason": reason}
    shared.record(conn, Entity.trigger, t.id, at=at, actor=actor, action=action,
                  from_status=t.status, to_status=to, detail=detail)  # fmt: skip
    return to


def follow_order(
    conn: Conn, order_id: int, action: str, *, actor: str, at: datetime, reason: str
) -> int:
    """Apply `action` ("cancel" or "complete") to the order's unresolved triggers;
    returns how many changed."""
    found = tq.unresolved_of_order(conn, order_id)
    for t in found:
        change(conn, t, action, actor=actor, at=at,
               reason=reason if action == "cancel" else None)  # fmt: skip
    return len(found)
