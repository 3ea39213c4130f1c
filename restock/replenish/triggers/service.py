"""Visit triggers in the database: raised by the job, acknowledged and completed by
reps. Service functions take a connection, the trigger, the actor and the time; they
raise TriggerNotFound, InvalidTriggerTransition.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from restock.replenish.errors import (
    CustomerNotFound,
    InvalidTriggerTransition,
    RepNotFound,
    TriggerNotFound,
)
from restock.replenish.orders.consolidate import CustomerState
from restock.replenish.orders.drafts import SensorHealth
from restock.replenish.orders.queries import Conn
from restock.replenish.policy import PointState
from restock.replenish.segments import ReplenishConfig
from restock.replenish.triggers import queries as tq
from restock.replenish.triggers.detect import ApprovedOrder, Signals, TriggerConfig, detect
from restock.replenish.visits.routes import record_visit

UNRESOLVED = ("open", "acknowledged")


@dataclass(frozen=True, slots=True, kw_only=True)
class Trigger:
    """A visit trigger as reps and the API see it."""

    id: int
    cause: str
    rep_id: str | None
    customer_id: str
    stock_point_id: int | None
    order_id: int | None
    purpose: str
    due_by: datetime
    priority: int
    detail: dict[str, Any]
    status: str
    created_at: datetime
    sent_at: datetime | None
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    completed_at: datetime | None

    @classmethod
    def from_row(cls, row: Any) -> Trigger:
        """From a row in trigger_queries.TRIGGER_COLUMNS order."""
        return cls(
            id=int(row[0]),
            cause=row[1],
            rep_id=row[2],
            customer_id=row[3],
            stock_point_id=row[4],
            order_id=row[5],
            purpose=row[6],
            due_by=row[7],
            priority=int(row[8]),
            detail=dict(row[9]),
            status=row[10],
            created_at=row[11],
            sent_at=row[12],
            acknowledged_at=row[13],
            acknowledged_by=row[14],
            completed_at=row[15],
        )

    def message(self) -> dict[str, Any]:
        """The JSON body sent to the rep (MQTT and webhook)."""
        return {
            "trigger_id": self.id,
            "cause": self.cause,
            "rep_id": self.rep_id,
            "customer_id": self.customer_id,
            "stock_point_id": self.stock_point_id,
            "order_id": self.order_id,
            "purpose": self.purpose,
            "due_by": self.due_by.isoformat(),
            "priority": self.priority,
            "detail": self.detail,
        }


def raise_triggers(
    conn: Conn,
    *,
    as_of: datetime,
    points: Mapping[int, PointState],
    customers: Mapping[str, CustomerState],
    health: Mapping[int, SensorHealth],
    config: ReplenishConfig,
    trigger_config: TriggerConfig | None = None,
) -> int:
    """Detect and store the triggers due at `as_of`; returns how many are new."""
    ids = list(points)
    previous = tq.previous_levels(conn, as_of, ids)
    since = min((t for t, _ in previous.values()), default=as_of)
    signals = Signals(
        status={sp: h.status for sp, h in health.items()},
        battery={sp: h.battery for sp, h in health.items()},
        last_seen={sp: h.last_seen for sp, h in health.items()},
        baseline_rate=tq.baseline_rates(conn, as_of, ids),
        previous_level={sp: level for sp, (_, level) in previous.items()},
        delivered_since_previous=frozenset(tq.delivered_between(conn, since, as_of)),
    )
    risk = {
        sp: 1.0 - config.service_level(customers[p.customer_id].segment, p.service_level)
        for sp, p in points.items()
    }
    approved = [
        ApprovedOrder(order_id=int(r[0]), customer_id=r[1], deliver_at=r[2], value=float(r[3]))
        for r in tq.approved_orders(conn)
    ]
    found = detect(
        as_of=as_of,
        points=points,
        customers=customers,
        risk=risk,
        review_hours=config.review_hours,
        signals=signals,
        approved=approved,
        config=trigger_config,
    )
    return sum(tq.insert_trigger(conn, c, at=as_of) for c in found)


def get_trigger(conn: Conn, trigger_id: int) -> Trigger:
    """Raises TriggerNotFound."""
    row = tq.trigger_row(conn, trigger_id)
    if row is None:
        raise TriggerNotFound(trigger_id)
    return Trigger.from_row(row)


def list_triggers(
    conn: Conn, *, rep_id: str | None = None, statuses: Sequence[str] = UNRESOLVED
) -> list[Trigger]:
    """Triggers (of one rep, or all), most urgent first."""
    return [
        Trigger.from_row(r) for r in tq.list_trigger_rows(conn, rep_id=rep_id, statuses=statuses)
    ]


def _move(
    conn: Conn,
    trigger_id: int,
    *,
    allowed: Sequence[str],
    to: str,
    actor: str,
    at: datetime,
    action: str,
) -> Trigger:
    with conn.transaction():
        row = tq.trigger_row(conn, trigger_id, lock=True)
        if row is None:
            raise TriggerNotFound(trigger_id)
        if row[10] not in allowed:
            raise InvalidTriggerTransition(trigger_id, row[10], action)
        tq.set_trigger_status(conn, trigger_id, to, at=at, actor=actor)
    return get_trigger(conn, trigger_id)


def acknowledge_trigger(conn: Conn, trigger_id: int, *, actor: str, at: datetime) -> Trigger:
    """The rep saw it. Raises TriggerNotFound, InvalidTriggerTransition."""
    return _move(
        conn,
        trigger_id,
        allowed=("open",),
        to="acknowledged",
        actor=actor,
        at=at,
        action="acknowledge",
    )


def complete_trigger(conn: Conn, trigger_id: int, *, actor: str, at: datetime) -> Trigger:
    """The visit was made: the trigger is completed and, while the customer is still its
    rep's, the visit is recorded (route_store.record_visit), so the customer's cadence
    counts from it. Raises TriggerNotFound, InvalidTriggerTransition."""
    with conn.transaction():
        trigger = _move(
            conn, trigger_id, allowed=UNRESOLVED, to="completed", actor=actor, at=at,
            action="complete",
        )  # fmt: skip
        if trigger.rep_id is not None:
            with suppress(CustomerNotFound, RepNotFound):
                record_visit(conn, trigger.rep_id, trigger.customer_id, at=at)
    return trigger


def cancel_trigger(conn: Conn, trigger_id: int, *, actor: str, at: datetime) -> Trigger:
    """No longer needed. Raises TriggerNotFound, InvalidTriggerTransition."""
    return _move(
        conn, trigger_id, allowed=UNRESOLVED, to="cancelled", actor=actor, at=at, action="cancel"
    )
