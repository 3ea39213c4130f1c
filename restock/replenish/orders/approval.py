"""Planner actions on orders — approve, edit, reject, bulk approve, sent, delivered —
each a plain function of a connection, the order, the actor and the time, recorded in
the audit trail. Raises OrderNotFound, InvalidTransition, InvalidQuantity.

The caller owns the transaction: pass an autocommit connection (each call is then its
own transaction) or wrap calls in `conn.transaction()`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from restock.replenish.errors import (
    InvalidQuantity,
    InvalidTransition,
    OrderLineNotFound,
    OrderNotFound,
    ReplenishError,
)
from restock.replenish.orders import queries
from restock.replenish.orders.queries import Conn

# status → actions allowed from it
TRANSITIONS: Mapping[str, frozenset[str]] = {
    "draft": frozenset({"approve", "edit", "reject"}),
    "approved": frozenset({"send", "deliver", "reject"}),
    "sent": frozenset({"deliver"}),
    "rejected": frozenset(),
    "delivered": frozenset(),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderLine:
    stock_point_id: int
    product_id: str
    quantity: float
    suggested_quantity: float
    unit_cost: float
    reason: str
    reasoning: dict[str, Any]
    delivered_quantity: float | None
    reconciled: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderEvent:
    at: datetime
    actor: str
    action: str
    detail: dict[str, Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class Order:
    """An order with its lines and audit trail. approved_by: a user or "rule:<id>";
    waiting_reasons: why a draft was not approved by rule."""

    id: int
    customer_id: str
    segment: str
    rep_id: str | None
    status: str
    as_of: datetime
    deliver_at: datetime
    on_planned_visit: bool
    value: float
    approved_by: str | None
    approved_at: datetime | None
    waiting_reasons: tuple[str, ...]
    lines: tuple[OrderLine, ...]
    events: tuple[OrderEvent, ...]


def get_order(conn: Conn, order_id: int) -> Order:
    """The order with lines and events; raises OrderNotFound."""
    head = queries.order_header(conn, order_id)
    if head is None:
        raise OrderNotFound(order_id)
    lines = tuple(
        OrderLine(
            stock_point_id=int(r[0]),
            product_id=r[1],
            quantity=float(r[2]),
            suggested_quantity=float(r[3]),
            unit_cost=float(r[4]),
            reason=r[5],
            reasoning=dict(r[6]),
            delivered_quantity=r[7],
            reconciled=r[8],
        )
        for r in queries.order_lines(conn, order_id)
    )
    events = tuple(
        OrderEvent(at=r[0], actor=r[1], action=r[2], detail=dict(r[3]))
        for r in queries.order_events(conn, order_id)
    )
    return Order(
        id=int(head[0]),
        customer_id=head[1],
        status=head[2],
        as_of=head[3],
        deliver_at=head[4],
        on_planned_visit=bool(head[5]),
        value=float(head[6]),
        approved_by=head[7],
        approved_at=head[9],
        waiting_reasons=tuple(head[10]),
        segment=head[13],
        rep_id=head[14],
        lines=lines,
        events=events,
    )


def list_orders(
    conn: Conn, *, status: str | None = None, customer_id: str | None = None
) -> list[Order]:
    """Orders by delivery time, optionally of one status / customer."""
    ids = queries.list_order_ids(conn, status=status, customer_id=customer_id)
    return [get_order(conn, i) for i in ids]


def _locked(conn: Conn, order_id: int, action: str) -> Any:
    head = queries.order_header(conn, order_id, lock=True)
    if head is None:
        raise OrderNotFound(order_id)
    if action not in TRANSITIONS[head[2]]:
        raise InvalidTransition(order_id, head[2], action)
    return head


def approve_order(
    conn: Conn, order_id: int, *, actor: str, at: datetime, rule_id: int | None = None
) -> Order:
    """Approve a draft (by a user, or by rule `rule_id` with actor "rule:<id>"); plans
    the delivery visit. Raises OrderNotFound, InvalidTransition."""
    with conn.transaction():
        head = _locked(conn, order_id, "approve")
        queries.set_status(conn, order_id, "approved", at=at, approved_by=actor, rule_id=rule_id)
        queries.plan_delivery_visit(
            conn, order_id=order_id, rep_id=head[14], customer_id=head[1], at=head[4]
        )
        detail: dict[str, Any] = {"value": float(head[6])}
        if rule_id is not None:
            detail["rule_id"] = rule_id
        queries.add_event(conn, order_id, at=at, actor=actor, action="approved", detail=detail)
    return get_order(conn, order_id)


def edit_order(
    conn: Conn, order_id: int, *, quantities: Mapping[int, float], actor: str, at: datetime
) -> Order:
    """Change line quantities of a draft (stock point id → quantity; 0 drops the line's
    quantity); the draft stays a draft. Raises OrderNotFound, OrderLineNotFound,
    InvalidTransition, InvalidQuantity (negative, or above the stock point's capacity)."""
    with conn.transaction():
        _locked(conn, order_id, "edit")
        lines = {int(r[0]): r for r in queries.order_lines(conn, order_id)}
        changes = []
        for sp, qty in quantities.items():
            line = lines.get(sp)
            if line is None:
                raise OrderLineNotFound(order_id, sp)
            if qty < 0 or qty > float(line[9]):
                raise InvalidQuantity(order_id, sp, f"quantity {qty:g} outside 0..{line[9]:g}")
            if qty != float(line[2]):
                queries.set_line_quantity(conn, order_id, sp, qty)
                changes.append({"stock_point_id": sp, "from": float(line[2]), "to": qty})
        queries.refresh_value(conn, order_id)
        if changes:
            queries.add_event(
                conn, order_id, at=at, actor=actor, action="edited", detail={"lines": changes}
            )
    return get_order(conn, order_id)


def reject_order(conn: Conn, order_id: int, *, actor: str, at: datetime, reason: str = "") -> Order:
    """Reject a draft or an approved order not yet sent; its planned visit is cancelled.
    Raises OrderNotFound, InvalidTransition."""
    with conn.transaction():
        _locked(conn, order_id, "reject")
        queries.set_status(conn, order_id, "rejected", at=at)
        queries.close_delivery_visit(conn, order_id, "cancelled")
        queries.add_event(
            conn, order_id, at=at, actor=actor, action="rejected", detail={"reason": reason}
        )
    return get_order(conn, order_id)


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
        _locked(conn, order_id, "send")
        queries.set_status(conn, order_id, "sent", at=at)
        queries.add_event(conn, order_id, at=at, actor=actor, action="sent", detail={})
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
    each line is recorded in `deliveries` (order_ref "order:<id>"), the delivery visit
    is done. Raises OrderNotFound, InvalidTransition, InvalidQuantity."""
    with conn.transaction():
        _locked(conn, order_id, "deliver")
        delivered = []
        for line in queries.order_lines(conn, order_id):
            sp = int(line[0])
            qty = float(line[2]) if quantities is None else quantities.get(sp, float(line[2]))
            if qty < 0:
                raise InvalidQuantity(order_id, sp, f"delivered quantity {qty:g} is negative")
            queries.record_delivery(conn, order_id=order_id, stock_point_id=sp, quantity=qty, at=at)
            delivered.append({"stock_point_id": sp, "quantity": qty})
        queries.set_status(conn, order_id, "delivered", at=at)
        queries.close_delivery_visit(conn, order_id, "done")
        queries.add_event(
            conn, order_id, at=at, actor=actor, action="delivered", detail={"lines": delivered}
        )
    return get_order(conn, order_id)
