"""Planner (and rule, and job) actions on orders — approve, edit, reject, cancel, bulk
approve, sent, delivered, withdraw — each checked by the lifecycle, cascaded to the
order's visit and triggers, and recorded in the audit trail with its actor.

Raises OrderNotFound, OrderLineNotFound, InvalidTransition, InvalidQuantity,
NotAllowedYet, MissingReason. Each call is its own transaction (nested in the caller's
when there is one).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from restock.core.db import Conn
from restock.replenish import queries as shared
from restock.replenish.errors import (
    InvalidQuantity,
    MissingReason,
    NotAllowedYet,
    OrderLineNotFound,
    OrderNotFound,
    ReplenishError,
)
from restock.replenish.lifecycle import Entity, OrderStatus, cascade, move
from restock.replenish.model import Order
from restock.replenish.orders import queries
from restock.replenish.orders.queries import LineLimits, OrderHead
from restock.replenish.rounding import FIT_TOLERANCE
from restock.replenish.triggers import cascade as triggers
from restock.replenish.visits import queries as vq
from restock.replenish.visits import service as visits

HOLD_MEMORY = timedelta(days=30)  # how long a rejection is shown beside new drafts


def get_order(conn: Conn, order_id: int) -> Order:
    """The order with lines, audit trail and the standing or recent rejections of its
    stock points; raises OrderNotFound."""
    head = queries.order_head(conn, order_id)
    if head is None:
        raise OrderNotFound(order_id)
    return _order(conn, head)


def _order(conn: Conn, head: OrderHead) -> Order:
    lines = tuple(queries.order_lines(conn, head.id))
    holds = queries.recent_holds(
        conn, [ln.stock_point_id for ln in lines], since=head.created_at - HOLD_MEMORY
    )
    return Order(
        id=head.id,
        customer_id=head.customer_id,
        customer_name=head.customer_name,
        segment=head.segment,
        rep_id=head.rep_id,
        status=head.status,
        as_of=head.as_of,
        deliver_at=head.deliver_at,
        on_planned_visit=head.on_planned_visit,
        visit_id=head.visit_id,
        value=head.value,
        approved_by=head.approved_by,
        approved_at=head.approved_at,
        delivered_at=head.delivered_at,
        closed_reason=head.closed_reason,
        waiting_reasons=tuple(head.waiting_reasons),
        lines=lines,
        events=tuple(shared.audit_trail(conn, Entity.order, head.id)),
        earlier_rejections=tuple(h for h in holds if h.order_id != head.id),
    )


def list_orders(
    conn: Conn, *, status: str | None = None, customer_id: str | None = None
) -> list[Order]:
    """Orders by delivery time, optionally of one status / customer."""
    ids = queries.list_order_ids(conn, status=status, customer_id=customer_id)
    return [get_order(conn, i) for i in ids]


def _locked(conn: Conn, order_id: int, action: str) -> tuple[OrderHead, OrderStatus]:
    """The order's head, locked, and the status `action` takes it to."""
    head = queries.order_head(conn, order_id, lock=True)
    if head is None:
        raise OrderNotFound(order_id)
    return head, OrderStatus(move(Entity.order, order_id, head.status, action))


def _record(
    conn: Conn,
    head: OrderHead,
    to: OrderStatus,
    action: str,
    *,
    actor: str,
    at: datetime,
    detail: dict[str, Any] | None = None,
) -> None:
    shared.record(conn, Entity.order, head.id, at=at, actor=actor, action=action,
                  from_status=head.status, to_status=to, detail=detail)  # fmt: skip


def _cascade(
    conn: Conn, head: OrderHead, action: str, *, actor: str, at: datetime, reason: str
) -> None:
    """The order's move, applied to its delivery visit and its triggers."""
    effect = cascade(action)
    if effect.visit == "cancel" and head.visit_id is not None:
        visits.drop_purpose(conn, head.visit_id, visits.DELIVERY, actor=actor, at=at,
                            reason=f"order {head.id} {reason}")  # fmt: skip
    if effect.visit == "make" and head.visit_id is not None:
        found = vq.visit(conn, head.visit_id, lock=True)
        if found is not None and found.status == "planned":
            visits.make(conn, head.visit_id, actor=actor, at=at)
    if effect.triggers is not None:
        triggers.follow_order(conn, head.id, effect.triggers, actor=actor, at=at,
                              reason=f"order {head.id} {reason}")  # fmt: skip


def approve_order(
    conn: Conn, order_id: int, *, actor: str, at: datetime, rule_id: int | None = None
) -> Order:
    """Approve a draft (by a user, or by rule `rule_id` with actor "rule:<id>"). Its
    delivery is planned on the rep's first working slot once the goods can be there
    (never on a day off, never before the product's lead time has passed since now).
    Raises OrderNotFound, InvalidTransition, NotAllowedYet (no positive line)."""
    with conn.transaction():
        head, to = _locked(conn, order_id, "approve")
        lines = queries.order_lines(conn, order_id)
        if not any(line.quantity > 0 for line in lines):
            raise NotAllowedYet(f"order {order_id} has no line with a positive quantity")
        lead = queries.max_lead_time_hours(conn, order_id)
        available = max(head.deliver_at, at + timedelta(hours=lead))
        visit_id, slot = _plan_delivery(conn, head, available=available, actor=actor, at=at)
        queries.set_status(conn, order_id, to, at=at, approved_by=actor, rule_id=rule_id)
        detail: dict[str, Any] = {"value": head.value, "visit_id": visit_id,
                                  "deliver_at": slot.isoformat()}  # fmt: skip
        if rule_id is not None:
            detail["rule_id"] = rule_id
        _record(conn, head, to, "approve", actor=actor, at=at, detail=detail)
    return get_order(conn, order_id)


def _plan_delivery(
    conn: Conn, head: OrderHead, *, available: datetime, actor: str, at: datetime
) -> tuple[int, datetime]:
    """Plan the order's delivery on the rep's first working slot once its goods are
    there; the order points at that visit and time."""
    customer = shared.customers(conn, [head.customer_id])[0]
    visit_id, slot = visits.plan_delivery(
        conn,
        rep_id=head.rep_id,
        customer_id=head.customer_id,
        available_at=available,
        work=customer.work,
        service_minutes=customer.service_minutes,
        actor=actor,
        at=at,
    )
    queries.set_visit(conn, head.id, visit_id)
    queries.set_deliver_at(conn, head.id, slot)
    return visit_id, slot


def replan_deliveries(conn: Conn, *, at: datetime) -> list[int]:
    """Orders on their way whose delivery visit is no longer planned (missed, made
    without delivering, cancelled) get a new one from `at` on; returns their ids."""
    moved = []
    for order_id in queries.orders_without_planned_visit(conn):
        with conn.transaction():
            head = queries.order_head(conn, order_id, lock=True)
            if head is None or head.status not in (OrderStatus.approved, OrderStatus.sent):
                continue
            visit_id, slot = _plan_delivery(
                conn, head, available=max(head.deliver_at, at), actor="job", at=at
            )
            _record(conn, head, head.status, "replan_delivery", actor="job", at=at,
                    detail={"visit_id": visit_id, "deliver_at": slot.isoformat()})  # fmt: skip
        moved.append(order_id)
    return moved


@dataclass(frozen=True, slots=True, kw_only=True)
class LineEdit:
    """A planner's quantity for one line; with `override`, kept as typed (flagged),
    else rounded to packs and the MOQ and capped by the capacity."""

    quantity: float
    override: bool = False


def rounded_edit(limits: LineLimits, edit: LineEdit) -> tuple[float, str]:
    """The quantity an edit stands for, and how it was rounded ('' when untouched).
    0 drops the line. Raises ValueError (negative; without override, above what whole
    packs in the capacity hold, or a MOQ larger than the capacity)."""
    q, pack = edit.quantity, limits.pack_size
    if q < 0 or not math.isfinite(q):
        raise ValueError(f"quantity {q:g} is not a non-negative number")
    if edit.override or q == 0:
        return q, ""
    eps = 1e-9
    most = math.floor(limits.capacity / pack + FIT_TOLERANCE) * pack
    least = math.ceil(limits.moq / pack - eps) * pack if limits.moq > 0 else pack
    packs = math.ceil(q / pack - eps)
    out = max(packs * pack, least)
    if least > most:
        raise ValueError(f"the MOQ {limits.moq:g} does not fit the capacity"
                         f" {limits.capacity:g}; order 0 or override")  # fmt: skip
    if out > most:
        raise ValueError(f"quantity {q:g} is above the {most:g} that whole packs of"
                         f" {pack:g} in the capacity {limits.capacity:g} hold")  # fmt: skip
    if out == q:
        return q, ""
    why = f"{q:g} rounded to {out:g} ({out / pack:g} pack(s) of {pack:g}"
    why += f", MOQ {limits.moq:g})" if out == least and limits.moq > q else ")"
    return out, why


def edit_order(
    conn: Conn,
    order_id: int,
    *,
    quantities: Mapping[int, LineEdit | float],
    actor: str,
    at: datetime,
) -> Order:
    """Change line quantities of a draft (stock point id → LineEdit, or a plain number:
    rounded as rounded_edit does). The draft stays a draft; why it waits is judged
    again by the caller (orders.drafts.rejudge). Raises OrderNotFound,
    OrderLineNotFound, InvalidTransition, InvalidQuantity."""
    with conn.transaction():
        head, to = _locked(conn, order_id, "edit")
        lines = {line.stock_point_id: line for line in queries.order_lines(conn, order_id)}
        limits = queries.line_limits(conn, order_id)
        changes = []
        for sp, raw in quantities.items():
            if sp not in lines:
                raise OrderLineNotFound(order_id, sp)
            edit = raw if isinstance(raw, LineEdit) else LineEdit(quantity=float(raw))
            try:
                qty, why = rounded_edit(limits[sp], edit)
            except ValueError as exc:
                raise InvalidQuantity(order_id, sp, str(exc)) from None
            line = lines[sp]
            if qty != line.quantity or edit.override != line.override:
                queries.set_line_quantity(conn, order_id, sp, qty, override=edit.override)
                change: dict[str, Any] = {"stock_point_id": sp, "from": line.quantity,
                                          "to": qty, "typed": edit.quantity}  # fmt: skip
                if edit.override:
                    change["override"] = True
                if why:
                    change["rounding"] = why
                changes.append(change)
        queries.refresh_value(conn, order_id)
        if changes:
            _record(conn, head, to, "edit", actor=actor, at=at, detail={"lines": changes})
    return get_order(conn, order_id)


def _close(
    conn: Conn, order_id: int, action: str, *, actor: str, at: datetime, reason: str
) -> Order:
    """Reject, cancel or withdraw: the order closes with `reason`, its lines are held
    against redrafting (not for a withdrawal, which is the job's own), and its visit
    and triggers follow."""
    if not reason.strip():
        raise MissingReason(f"order {order_id}: say why it is {action}ed")
    with conn.transaction():
        head, to = _locked(conn, order_id, action)
        queries.set_status(conn, order_id, to, at=at, closed_reason=reason.strip())
        if action != "withdraw":
            for line in queries.order_lines(conn, order_id):
                queries.hold(
                    conn,
                    stock_point_id=line.stock_point_id,
                    order_id=order_id,
                    at=at,
                    actor=actor,
                    reason=reason.strip(),
                    level=float(line.reasoning.get("level", 0.0)),
                    p_stockout=float(line.reasoning.get("p_stockout", 0.0)),
                )
        _record(conn, head, to, action, actor=actor, at=at, detail={"reason": reason.strip()})
        _cascade(conn, head, action, actor=actor, at=at, reason=f"{to.value}: {reason.strip()}")
    return get_order(conn, order_id)


def reject_order(conn: Conn, order_id: int, *, actor: str, at: datetime, reason: str) -> Order:
    """Reject a draft, saying why: its stock points are not drafted again for the same
    need until something material changes (see orders.holds) or a planner releases
    them. Raises OrderNotFound, InvalidTransition, MissingReason."""
    return _close(conn, order_id, "reject", actor=actor, at=at, reason=reason)


def cancel_order(conn: Conn, order_id: int, *, actor: str, at: datetime, reason: str) -> Order:
    """Cancel an approved or sent order, saying why; its delivery visit and triggers are
    cancelled and the rep told. Raises OrderNotFound, InvalidTransition, MissingReason."""
    return _close(conn, order_id, "cancel", actor=actor, at=at, reason=reason)


def withdraw_draft(conn: Conn, order_id: int, *, at: datetime, reason: str) -> Order:
    """The job closes a draft it no longer needs (the need went away)."""
    return _close(conn, order_id, "withdraw", actor="job", at=at, reason=reason)


def release(conn: Conn, stock_point_id: int, *, actor: str, at: datetime) -> bool:
    """A planner lets the stock point be drafted again; True if it was held."""
    return shared.release_hold(conn, stock_point_id, at=at, by=actor)


@dataclass(frozen=True, slots=True, kw_only=True)
class BulkResult:
    approved: tuple[int, ...]
    failed: tuple[tuple[int, str], ...]  # (order id, error message)


def bulk_approve(conn: Conn, order_ids: Sequence[int], *, actor: str, at: datetime) -> BulkResult:
    """Approve each order on its own; one that cannot be approved is reported, not fatal."""
    ok: list[int] = []
    failed: list[tuple[int, str]] = []
    for order_id in order_ids:
        try:
            approve_order(conn, order_id, actor=actor, at=at)
        except ReplenishError as exc:
            failed.append((order_id, str(exc)))
        else:
            ok.append(order_id)
    return BulkResult(approved=tuple(ok), failed=tuple(failed))


def mark_sent(conn: Conn, order_id: int, *, actor: str, at: datetime) -> Order:
    """The approved order went to the supplier/warehouse. Raises OrderNotFound,
    InvalidTransition."""
    with conn.transaction():
        head, to = _locked(conn, order_id, "send")
        queries.set_status(conn, order_id, to, at=at)
        _record(conn, head, to, "send", actor=actor, at=at)
    return get_order(conn, order_id)


def mark_delivered(
    conn: Conn,
    order_id: int,
    *,
    actor: str,
    at: datetime,
    quantities: Mapping[int, float] | None = None,
) -> Order:
    """The order arrived (by default in full; `quantities` overrides per stock point):
    each line is recorded in `deliveries` (order_ref "order:<id>"), its delivery visit
    is made and its triggers completed. Until the sensors have seen it, it still counts
    as on order. Raises OrderNotFound, InvalidTransition, InvalidQuantity."""
    with conn.transaction():
        head, to = _locked(conn, order_id, "deliver")
        delivered = []
        for line in queries.order_lines(conn, order_id):
            sp = line.stock_point_id
            qty = line.quantity if quantities is None else quantities.get(sp, line.quantity)
            if qty < 0:
                raise InvalidQuantity(order_id, sp, f"delivered quantity {qty:g} is negative")
            queries.record_delivery(conn, order_id=order_id, stock_point_id=sp, quantity=qty, at=at)
            delivered.append({"stock_point_id": sp, "quantity": qty})
        queries.set_status(conn, order_id, to, at=at)
        _record(conn, head, to, "deliver", actor=actor, at=at, detail={"lines": delivered})
        _cascade(conn, head, "deliver", actor=actor, at=at, reason="delivered")
    return get_order(conn, order_id)
