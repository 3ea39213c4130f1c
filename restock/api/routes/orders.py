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
from restock.api.responses import RowsResponse, order_response
from restock.api.routes import V1
from restock.api.schemas.fields import Id
from restock.api.schemas.params import BigIdPath
from restock.api.schemas.replenish import (
    BulkApprove,
    BulkResult,
    Order,
    OrderEdit,
    OrderStatus,
    OrderSummary,
    Rejection,
)
from restock.replenish.orders import approval

router = APIRouter(prefix=V1 + "/orders", tags=["orders"], responses=AUTH_RESPONSES)
ACTION = {**NOT_FOUND, **CONFLICT}

OrderId = Annotated[BigIdPath, Path(description="Order id")]


@router.get("", response_model=list[OrderSummary])
async def order_queue(
    conn: Conn,
    caller: Reader,
    page: PageDep,
    status: Annotated[OrderStatus | None, Query()] = None,
    customer_id: Annotated[Id | None, Query()] = None,
    rep_id: Annotated[Id | None, Query(description="Staff only: one rep's customers")] = None,
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
def get_order(conn: BlockingConn, caller: Reader, order_id: OrderId) -> Order:
    """An order with its lines, the reasoning behind them and its audit trail."""
    return order_response(conn, scoped.order_in_scope(conn, order_id, rep=caller.scope_rep))


@router.post("/{order_id}/approve", response_model=Order, responses=ACTION)
def approve_order(conn: BlockingConn, caller: Staff, clock: ClockDep, order_id: OrderId) -> Order:
    """Approve a draft; its delivery visit is planned."""
    return order_response(
        conn, approval.approve_order(conn, order_id, actor=caller.actor, at=clock.now())
    )


@router.patch("/{order_id}", response_model=Order, responses=ACTION)
def edit_order(
    conn: BlockingConn, caller: Staff, clock: ClockDep, order_id: OrderId, body: OrderEdit
) -> Order:
    """Change line quantities of a draft."""
    quantities = {line.stock_point_id: line.quantity for line in body.lines}
    return order_response(
        conn,
        approval.edit_order(
            conn, order_id, quantities=quantities, actor=caller.actor, at=clock.now()
        ),
    )


@router.post("/{order_id}/reject", response_model=Order, responses=ACTION)
def reject_order(
    conn: BlockingConn, caller: Staff, clock: ClockDep, order_id: OrderId, body: Rejection
) -> Order:
    """Reject a draft or an approved order not yet sent, with a reason."""
    return order_response(
        conn,
        approval.reject_order(
            conn, order_id, actor=caller.actor, at=clock.now(), reason=body.reason
        ),
    )


@router.post("/{order_id}/sent", response_model=Order, responses=ACTION)
def mark_sent(conn: BlockingConn, caller: Staff, clock: ClockDep, order_id: OrderId) -> Order:
    """The approved order went to the warehouse."""
    return order_response(
        conn, approval.mark_sent(conn, order_id, actor=caller.actor, at=clock.now())
    )


@router.post("/{order_id}/delivered", response_model=Order, responses=ACTION)
def mark_delivered(conn: BlockingConn, caller: Staff, clock: ClockDep, order_id: OrderId) -> Order:
    """The order arrived in full (recorded as deliveries)."""
    return order_response(
        conn, approval.mark_delivered(conn, order_id, actor=caller.actor, at=clock.now())
    )


@router.post("/approve", response_model=BulkResult)
def bulk_approve(
    conn: BlockingConn, caller: Staff, clock: ClockDep, body: BulkApprove
) -> BulkResult:
    """Approve many drafts; those that cannot be approved are listed with the reason."""
    return scoped.bulk_approve(conn, body.order_ids, actor=caller.actor, at=clock.now())
