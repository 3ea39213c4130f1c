"""Visit triggers in the database: raised by the job, acknowledged, completed and
cancelled by people (or with their order). Each move is checked by the lifecycle and
recorded in the audit trail. Raises TriggerNotFound, InvalidTransition, NotAllowedYet,
MissingReason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import suppress
from datetime import datetime

from restock.core.db import Conn
from restock.replenish import queries as shared
from restock.replenish.errors import (
    CustomerNotFound,
    MissingReason,
    NotAllowedYet,
    RepNotFound,
    TriggerNotFound,
)
from restock.replenish.lifecycle import (
    ON_ITS_WAY,
    UNRESOLVED_TRIGGER,
    Entity,
    OrderStatus,
    TriggerStatus,
)
from restock.replenish.model import CustomerState, PointState, SensorHealth, Trigger
from restock.replenish.orders import approval
from restock.replenish.segments import ReplenishConfig
from restock.replenish.triggers import queries as tq
from restock.replenish.triggers.cascade import change
from restock.replenish.triggers.detect import ApprovedOrder, Signals, TriggerConfig, detect
from restock.replenish.visits.service import record_visit

UNRESOLVED = tuple(s.value for s in UNRESOLVED_TRIGGER)


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
    """Detect and store the triggers due at `as_of`; returns how many are new. A stockout
    risk an order now covers is resolved first (cancelled, saying by which order)."""
    ids = list(points)
    previous = tq.previous_levels(conn, as_of, ids)
    since = min((t for t, _ in previous.values()), default=as_of)
    signals = Signals(
        status={sp: h.status for sp, h in health.items()},
        battery={sp: h.battery for sp, h in health.items()},
        last_reading_at={sp: h.last_reading_at for sp, h in health.items()},
        rejected={sp: h.rejected_recent for sp, h in health.items()},
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
    with conn.transaction():
        for t, order_id in tq.covered_by_orders(conn):
            change(conn, t, "cancel", actor="job", at=as_of,
                   reason=f"covered: order {order_id} is on its way")  # fmt: skip
    found = detect(
        as_of=as_of,
        points=points,
        customers=customers,
        risk=risk,
        review_hours=config.review_hours,
        signals=signals,
        approved=approved,
        config=trigger_config,
        segments=config.segments,
    )
    new = 0
    for candidate in found:
        trigger_id = tq.insert_trigger(conn, candidate, at=as_of)
        if trigger_id is not None:
            shared.record(conn, Entity.trigger, trigger_id, at=as_of, actor="job",
                          action="raise", from_status=None, to_status=TriggerStatus.open,
                          detail={"cause": candidate.cause})  # fmt: skip
            new += 1
    return new


def get_trigger(conn: Conn, trigger_id: int) -> Trigger:
    """Raises TriggerNotFound."""
    found = tq.trigger(conn, trigger_id)
    if found is None:
        raise TriggerNotFound(trigger_id)
    return found


def list_triggers(
    conn: Conn, *, rep_id: str | None = None, statuses: Sequence[str] = UNRESOLVED
) -> list[Trigger]:
    """Triggers (of one rep, or all), most urgent first."""
    return tq.list_triggers(conn, rep_id=rep_id, statuses=statuses)


def _locked(conn: Conn, trigger_id: int) -> Trigger:
    found = tq.trigger(conn, trigger_id, lock=True)
    if found is None:
        raise TriggerNotFound(trigger_id)
    return found


def acknowledge_trigger(conn: Conn, trigger_id: int, *, actor: str, at: datetime) -> Trigger:
    """The rep saw it. Raises TriggerNotFound, InvalidTransition."""
    with conn.transaction():
        change(conn, _locked(conn, trigger_id), "acknowledge", actor=actor, at=at)
    return get_trigger(conn, trigger_id)


def complete_trigger(conn: Conn, trigger_id: int, *, actor: str, at: datetime) -> Trigger:
    """The visit was made. Completing an order's delivery trigger delivers the order
    (allowed once the order is approved or sent and its delivery day has come: the
    goods are there); the delivery completes the trigger. Otherwise the trigger is
    completed and, while the customer is still its rep's, the visit is recorded, so
    the customer's cadence counts from it. Raises TriggerNotFound, InvalidTransition,
    NotAllowedYet."""
    with conn.transaction():
        found = _locked(conn, trigger_id)
        if found.purpose == "order_delivery" and found.order_id is not None:
            order = approval.get_order(conn, found.order_id)
            if order.status not in ON_ITS_WAY:
                raise NotAllowedYet(
                    f"visit trigger {trigger_id}: order {order.id} is {order.status.value},"
                    " there is nothing to deliver"
                )
            zone = shared.customers(conn, [order.customer_id])[0].work.zone
            if at.astimezone(zone).date() < order.deliver_at.astimezone(zone).date():
                raise NotAllowedYet(
                    f"visit trigger {trigger_id}: the goods of order {order.id} are due"
                    f" {order.deliver_at.isoformat()}; deliver them then"
                )
            if found.status in UNRESOLVED_TRIGGER:
                approval.mark_delivered(conn, order.id, actor=actor, at=at)
            return get_trigger(conn, trigger_id)
        change(conn, found, "complete", actor=actor, at=at)
        if found.rep_id is not None:
            with suppress(CustomerNotFound, RepNotFound):
                record_visit(conn, found.rep_id, found.customer_id, at=at)
    return get_trigger(conn, trigger_id)


def cancel_trigger(
    conn: Conn, trigger_id: int, *, actor: str, at: datetime, reason: str
) -> Trigger:
    """No longer needed, saying why; the rep is told. An order's delivery trigger is
    cancelled with its order, not on its own. Raises TriggerNotFound,
    InvalidTransition, NotAllowedYet, MissingReason."""
    if not reason.strip():
        raise MissingReason(f"visit trigger {trigger_id}: say why it is cancelled")
    with conn.transaction():
        found = _locked(conn, trigger_id)
        if found.purpose == "order_delivery" and found.order_id is not None:
            order = approval.get_order(conn, found.order_id)
            if order.status in (OrderStatus.approved, OrderStatus.sent):
                raise NotAllowedYet(
                    f"visit trigger {trigger_id} delivers order {order.id}: cancel the order"
                )
        change(conn, found, "cancel", actor=actor, at=at, reason=reason.strip())
    return get_trigger(conn, trigger_id)
