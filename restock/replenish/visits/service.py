"""Visits in the database: planned (for a delivery, a cadence or a trigger), made,
cancelled, missed — each move checked by the lifecycle and recorded in the audit trail.

A customer has at most one planned visit a day; a second purpose joins it. The caller
owns the transaction (these run inside the order and trigger services' transactions).
Raises RepNotFound, CustomerNotFound, VisitNotFound, lifecycle.InvalidTransition.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from restock.core.db import Conn
from restock.replenish import queries as shared
from restock.replenish.errors import CustomerNotFound, RepNotFound, VisitNotFound
from restock.replenish.lifecycle import Entity, VisitStatus, move
from restock.replenish.model import Visit
from restock.replenish.visits import queries as q
from restock.replenish.visits.workdays import WorkWeek, work_week

DELIVERY = "delivery"


def rep_week(conn: Conn, rep_id: str) -> WorkWeek:
    """The rep's working week; raises RepNotFound."""
    row = q.rep(conn, rep_id)
    if row is None:
        raise RepNotFound(rep_id)
    return work_week(row.work_days, row.work_start, row.work_end, row.time_zone)


def plan(
    conn: Conn,
    *,
    rep_id: str | None,
    customer_id: str,
    day: date,
    planned_at: datetime,
    purposes: Sequence[str],
    actor: str,
    at: datetime,
) -> int:
    """The customer's planned visit on `day` with `purposes` added (created if there is
    none; a later `planned_at` moves it later: a delivery cannot come before its goods)."""
    existing = q.planned_on(conn, customer_id, day, lock=True)
    if existing is None:
        visit_id = q.insert_visit(
            conn,
            rep_id=rep_id,
            customer_id=customer_id,
            day=day,
            planned_at=planned_at,
            purposes=purposes,
        )
        shared.record(conn, Entity.visit, visit_id, at=at, actor=actor, action="plan",
                      from_status=None, to_status=VisitStatus.planned,
                      detail={"purposes": list(purposes), "day": day.isoformat()})  # fmt: skip
        return visit_id
    added = [p for p in purposes if p not in existing.purposes]
    later = max(existing.planned_at, planned_at)
    if added or later != existing.planned_at:
        move(Entity.visit, existing.id, existing.status, "replan")
        q.set_purposes(conn, existing.id, [*existing.purposes, *added], later)
        shared.record(conn, Entity.visit, existing.id, at=at, actor=actor, action="replan",
                      from_status=existing.status, to_status=existing.status,
                      detail={"added": added, "planned_at": later.isoformat()})  # fmt: skip
    return existing.id


def plan_delivery(
    conn: Conn,
    *,
    rep_id: str | None,
    customer_id: str,
    available_at: datetime,
    work: WorkWeek,
    service_minutes: float,
    actor: str,
    at: datetime,
) -> tuple[int, datetime]:
    """Plan the delivery of goods available at `available_at` on the rep's first working
    slot from then (never on a day off, never before the goods): (visit id, time)."""
    slot = work.first_slot(available_at, service_minutes=service_minutes)
    day = slot.astimezone(work.zone).date()
    visit_id = plan(
        conn,
        rep_id=rep_id,
        customer_id=customer_id,
        day=day,
        planned_at=slot,
        purposes=(DELIVERY,),
        actor=actor,
        at=at,
    )
    return visit_id, slot


def _locked(conn: Conn, visit_id: int) -> Visit:
    found = q.visit(conn, visit_id, lock=True)
    if found is None:
        raise VisitNotFound(visit_id)
    return found


def drop_purpose(
    conn: Conn, visit_id: int, purpose: str, *, actor: str, at: datetime, reason: str
) -> None:
    """Take `purpose` off a planned visit (an order's delivery that will not happen);
    a visit left with no purpose, and no other order to deliver, is cancelled."""
    found = _locked(conn, visit_id)
    if found.status != VisitStatus.planned:
        return
    if purpose == DELIVERY and _other_deliveries(conn, found):
        return  # another order still rides on it
    rest = [p for p in found.purposes if p != purpose]
    if rest:
        if len(rest) < len(found.purposes):
            q.set_purposes(conn, visit_id, rest, found.planned_at)
            shared.record(conn, Entity.visit, visit_id, at=at, actor=actor,
                          action="purpose_dropped", from_status=found.status,
                          to_status=found.status,
                          detail={"purpose": purpose, "reason": reason})  # fmt: skip
        return
    to = VisitStatus(move(Entity.visit, visit_id, found.status, "cancel"))
    q.set_status(conn, visit_id, to)
    shared.record(conn, Entity.visit, visit_id, at=at, actor=actor, action="cancel",
                  from_status=found.status, to_status=to, detail={"reason": reason})  # fmt: skip


def _other_deliveries(conn: Conn, visit: Visit) -> bool:
    """Whether another open order still rides on the visit."""
    row = conn.execute(
        "SELECT count(*) FROM orders WHERE visit_id = %s AND status IN ('approved', 'sent')",
        (visit.id,),
    ).fetchone()
    return bool(row and row[0] > 0)


def make(conn: Conn, visit_id: int, *, actor: str, at: datetime) -> Visit:
    """The planned visit was made at `at`."""
    found = _locked(conn, visit_id)
    to = VisitStatus(move(Entity.visit, visit_id, found.status, "make"))
    q.set_status(conn, visit_id, to, done_at=at)
    shared.record(conn, Entity.visit, visit_id, at=at, actor=actor, action="make",
                  from_status=found.status, to_status=to, detail={})  # fmt: skip
    return _locked(conn, visit_id)


def record_visit(conn: Conn, rep_id: str, customer_id: str, *, at: datetime) -> int:
    """The rep visited the customer at `at`: the customer's planned visit that local day
    is made, or, with none planned, a made visit is recorded (route planning counts the
    customer's cadence from it). An order on the visit that was not delivered stays
    open, and the next replenishment run plans its delivery again.
    Returns the visit's id. Raises RepNotFound, CustomerNotFound."""
    work = rep_week(conn, rep_id)
    if not q.is_customer_of(conn, customer_id, rep_id):
        raise CustomerNotFound(customer_id, rep_id)
    day = at.astimezone(work.zone).date()
    with conn.transaction():
        planned = q.planned_on(conn, customer_id, day, lock=True)
        if planned is not None:
            return make(conn, planned.id, actor=rep_id, at=at).id
        visit_id = q.insert_visit(
            conn,
            rep_id=rep_id,
            customer_id=customer_id,
            day=day,
            planned_at=at,
            purposes=("unplanned",),
            status=VisitStatus.done,
            done_at=at,
        )
        shared.record(conn, Entity.visit, visit_id, at=at, actor=rep_id, action="make",
                      from_status=None, to_status=VisitStatus.done,
                      detail={"unplanned": True})  # fmt: skip
        return visit_id


def miss_past(conn: Conn, *, as_of: datetime) -> list[Visit]:
    """Mark planned visits whose day has ended `missed`; returns them (their orders are
    planned again by the replenishment run)."""
    missed = []
    for found in q.past_planned(conn, as_of):
        with conn.transaction():
            to = VisitStatus(move(Entity.visit, found.id, found.status, "miss"))
            q.set_status(conn, found.id, to)
            shared.record(conn, Entity.visit, found.id, at=as_of, actor="job", action="miss",
                          from_status=found.status, to_status=to, detail={})  # fmt: skip
        missed.append(found)
    return missed


def get_visit(conn: Conn, visit_id: int) -> Visit:
    """Raises VisitNotFound."""
    found = q.visit(conn, visit_id)
    if found is None:
        raise VisitNotFound(visit_id)
    return found
