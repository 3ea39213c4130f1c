"""Orders: the queue and details (reps: their customers'); planners approve, edit,
reject (with a reason), cancel, bulk approve, release a standing rejection, and record
sending and delivery.

The queue is the API's own (async) query; everything else runs replenishment's
blocking code on a BlockingConn."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from restock.api import scoped
from restock.api.deps import BlockingConn, ClockDep, Conn, PageDep, Reader, SettingsDep, Staff
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
    Released,
)
from restock.replenish.job import JobConfig
from restock.replenish.orders import approval, drafts

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
        rep=scoped.rep_filter(caller, rep_id),
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
    """Approve a draft with a positive line; its delivery is planned on the rep's first
    working slot once the goods can be there."""
    order = approval.approve_order(conn, order_id, actor=caller.actor, at=clock.now())
    return order_response(conn, order)


@router.patch("/{order_id}", response_model=Order, responses=ACTION)
def edit_order(
    conn: BlockingConn,
    caller: Staff,
    clock: ClockDep,
    settings: SettingsDep,
    order_id: OrderId,
    body: OrderEdit,
) -> Order:
    """Change line quantities of a draft: rounded to packs and the MOQ and capped by
    the capacity, or kept as typed with `override`; why it waits is judged again."""
    quantities = {
        line.stock_point_id: approval.LineEdit(quantity=line.quantity, override=line.override)
        for line in body.lines
    }
    at = clock.now()
    approval.edit_order(conn, order_id, quantities=quantities, actor=caller.actor, at=at)
    job = JobConfig.from_settings(settings)
    judge = drafts.JudgeConfig(
        max_forecast_age_hours=job.max_forecast_age_hours,
        health_look_back_hours=job.health_look_back_hours,
    )
    drafts.rejudge(conn, order_id, at=at, config=judge)
    return order_response(conn, approval.get_order(conn, order_id))


@router.post("/{order_id}/reject", response_model=Order, responses=ACTION)
def reject_order(
    conn: BlockingConn, caller: Staff, clock: ClockDep, order_id: OrderId, body: Rejection
) -> Order:
    """Reject a draft, saying why: its stock points are not drafted again for the same
    need until the level drops, the risk rises well past what was seen, or a planner
    releases them."""
    order = approval.reject_order(
        conn, order_id, actor=caller.actor, at=clock.now(), reason=body.reason
    )
    return order_response(conn, order)


@router.post("/{order_id}/cancel", response_model=Order, responses=ACTION)
def cancel_order(
    conn: BlockingConn, caller: Staff, clock: ClockDep, order_id: OrderId, body: Rejection
) -> Order:
    """Cancel an approved or sent order, saying why; its delivery visit and triggers are
    cancelled and the rep is told."""
    order = approval.cancel_order(
        conn, order_id, actor=caller.actor, at=clock.now(), reason=body.reason
    )
    return order_response(conn, order)


@router.post("/{order_id}/sent", response_model=Order, responses=ACTION)
def mark_sent(conn: BlockingConn, caller: Staff, clock: ClockDep, order_id: OrderId) -> Order:
    """The approved order went to the warehouse."""
    order = approval.mark_sent(conn, order_id, actor=caller.actor, at=clock.now())
    return order_response(conn, order)


@router.post("/{order_id}/delivered", response_model=Order, responses=ACTION)
def mark_delivered(conn: BlockingConn, caller: Staff, clock: ClockDep, order_id: OrderId) -> Order:
    """The order arrived in full (recorded as deliveries)."""
    order = approval.mark_delivered(conn, order_id, actor=caller.actor, at=clock.now())
    return order_response(conn, order)


@router.post("/approve", response_model=BulkResult)
def bulk_approve(
    conn: BlockingConn, caller: Staff, clock: ClockDep, body: BulkApprove
) -> BulkResult:
    """Approve many drafts; those that cannot be approved are listed with the reason."""
    return scoped.bulk_approve(conn, body.order_ids, actor=caller.actor, at=clock.now())


@router.post("/holds/{stock_point_id}/release", response_model=Released, responses=NOT_FOUND)
def release_hold(
    conn: BlockingConn,
    caller: Staff,
    clock: ClockDep,
    stock_point_id: Annotated[BigIdPath, Path(description="Stock point id")],
) -> Released:
    """Let a stock point whose order was rejected be drafted again at the next run."""
    return Released(
        stock_point_id=stock_point_id,
        released=approval.release(conn, stock_point_id, actor=caller.actor, at=clock.now()),
    )
