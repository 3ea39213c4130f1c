"""Orders: the queue and details (reps: their customers'); planners approve, edit,
reject, bulk approve, and record sending and delivery.

The queue is the API's own (async) query; everything else runs replenishment's
blocking code on a BlockingConn."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from restock.api import scoped
from restock.api.deps import BlockingConn, ClockDep, Conn, PageDep, Reader, Staff
from restock.api.errors import AUTH_RESPONSES, CONFLICT, NOT_FOUND
from restock.api.queries import orders as q
from restock.api.responses import RowsResponse
from restock.api.routes import V1
from restock.api.schemas.replenish import (
    BulkApprove,
    BulkResult,
    OrderEdit,
    OrderStatus,
    OrderSummary,
    Rejection,
)
from restock.replenish.orders import approval
from restock.replenish.orders.approval import Order

router = APIRouter(prefix=V1 + "/orders", tags=["orders"], responses=AUTH_RESPONSES)
ACTION = {**NOT_FOUND, **CONFLICT}

OrderId = Annotated[int, Path(ge=1, le=2**62, description="Order id")]


@router.get("", response_model=list[OrderSummary])
async def order_queue(
    conn: Conn,
    caller: Reader,
    page: PageDep,
    status: Annotated[OrderStatus | None, Query()] = None,
    customer_id: Annotated[str | None, Query()] = None,
    rep_id: Annotated[str | None, Query(description="Staff only: one rep's customers")] = None,
) -> RowsResponse:
    """Orders by planned delivery, filtered by status, customer or rep."""
    rows = await q.order_queue(
        conn,
        status=status,
        customer=customer_id,
        rep=caller.scope_rep or rep_id,
        limit=page.limit,
        offset=page.offset,
    )
    return RowsResponse(rows)


@router.get("/{order_id}", response_model=Order, responses=NOT_FOUND)
def get_order(conn: BlockingConn, caller: Reader, order_id: OrderId) -> approval.Order:
    """An order with its lines, the reasoning behind them and its audit trail."""
    return scoped.order_in_scope(conn, order_id, rep=caller.scope_rep)


@router.post("/{order_id}/approve", response_model=Order, responses=ACTION)
def approve_order(
    conn: BlockingConn, caller: Staff, clock: ClockDep, order_id: OrderId
) -> approval.Order:
    """Approve a draft; its delivery visit is planned."""
    return approval.approve_order(conn, order_id, actor=caller.actor, at=clock.now())


@router.patch("/{order_id}", response_model=Order, responses=ACTION)
def edit_order(
    conn: BlockingConn, caller: Staff, clock: ClockDep, order_id: OrderId, body: OrderEdit
) -> approval.Order:
    """Change line quantities of a draft."""
    quantities = {line.stock_point_id: line.quantity for line in body.lines}
    return approval.edit_order(
        conn, order_id, quantities=quantities, actor=caller.actor, at=clock.now()
    )


@router.post("/{order_id}/reject", response_model=Order, responses=ACTION)
def reject_order(
    conn: BlockingConn, caller: Staff, clock: ClockDep, order_id: OrderId, body: Rejection
) -> approval.Order:
    """Reject a draft or an approved order not yet sent, with a reason."""
    return approval.reject_order(
        conn, order_id, actor=caller.actor, at=clock.now(), reason=body.reason
    )


@router.post("/{order_id}/sent", response_model=Order, responses=ACTION)
def mark_sent(
    conn: BlockingConn, caller: Staff, clock: ClockDep, order_id: OrderId
) -> approval.Order:
    """The approved order went to the warehouse."""
    return approval.mark_sent(conn, order_id, actor=caller.actor, at=clock.now())


@router.post("/{order_id}/delivered", response_model=Order, responses=ACTION)
def mark_delivered(
    conn: BlockingConn, caller: Staff, clock: ClockDep, order_id: OrderId
) -> approval.Order:
    """The order arrived in full (recorded as deliveries)."""
    return approval.mark_delivered(conn, order_id, actor=caller.actor, at=clock.now())


@router.post("/approve", response_model=BulkResult)
def bulk_approve(
    conn: BlockingConn, caller: Staff, clock: ClockDep, body: BulkApprove
) -> BulkResult:
    """Approve many drafts; those that cannot be approved are listed with the reason."""
    return scoped.bulk_approve(conn, body.order_ids, actor=caller.actor, at=clock.now())
