"""The planner's workbench: the draft queue (most urgent first, bulk approve), an
order's detail (a chart and the reasoning per line; approve, edit in packs, reject with
a reason). Handlers gather data and call replenishment's approval functions; what is
shown is computed in restock.api.pages.views."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response
from fastapi.concurrency import run_in_threadpool

from restock.api import scoped
from restock.api.deps import BlockingConn, ClockDep, Conn
from restock.api.errors import Invalid
from restock.api.pages import queries as pq
from restock.api.pages.page_route import PageRoute
from restock.api.pages.render import redirect, render
from restock.api.pages.session import Posted, Staff
from restock.api.pages.views.level_chart import ForecastLine, LevelPoint, level_chart
from restock.api.pages.views.order_edit import EditableLine, quantities_from_packs
from restock.api.pages.views.queue import (
    QueueLine,
    QueueOrder,
    ranked_queue,
    summarize,
    why_waiting,
)
from restock.api.pages.views.story import event_text, line_story
from restock.api.queries.readings import stock_point_chart
from restock.core.timefmt import age
from restock.replenish.model import Order, OrderLine
from restock.replenish.orders import approval

router = APIRouter(prefix="/ui", include_in_schema=False, route_class=PageRoute)
OrderId = Annotated[int, Path(ge=1, le=2**62)]
QUEUE_MAX = 500


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _queue_order(row: dict[str, Any]) -> QueueOrder:
    return QueueOrder(
        id=int(row["id"]),
        customer_id=row["customer_id"],
        customer_name=row["customer_name"],
        segment=row["segment"],
        rep_id=row["rep_id"],
        rep_name=row["rep_name"],
        time_zone=row["time_zone"],
        deliver_at=row["deliver_at"],
        value=float(row["value"]),
        waiting_reasons=tuple(row["waiting_reasons"]),
        lines=tuple(
            QueueLine(
                stock_point_id=int(ln["stock_point_id"]),
                product=ln["product"],
                unit=ln["unit"],
                quantity=float(ln["quantity"]),
                pack_size=float(ln["pack_size"]),
                stockout_p10=_when(ln["stockout_p10"]),
                stockout_p50=_when(ln["stockout_p50"]),
                p_stockout=ln["p_stockout"],
                last_reading_at=_when(ln["last_reading_at"]),
            )
            for ln in row["lines"]
        ),
    )


@router.get("/orders")
async def queue(
    request: Request, conn: Conn, user: Staff, clock: ClockDep, rep: str = ""
) -> Response:
    """Draft orders, most urgent first."""
    rows = await pq.drafts(conn, rep=rep or None, limit=QUEUE_MAX)
    items = ranked_queue([_queue_order(r) for r in rows], clock.now())
    return render(
        request,
        "queue.html",
        items=items,
        summary=summarize(items),
        reps=await pq.rep_names(conn),
        rep=rep,
    )


async def _chart(
    conn: Conn, line: OrderLine, ctx: dict[str, Any], *, now: datetime,
    order: Order, next_visit: datetime | None, zone: str,
) -> dict[str, Any]:  # fmt: skip
    history = await stock_point_chart(
        conn, line.stock_point_id, rep=None, start=now - timedelta(days=14), end=now,
        max_points=14 * 24,
    )  # fmt: skip
    points: list[dict[str, Any]] = history["points"]  # type: ignore[assignment]
    levels = [LevelPoint(time=p["time"], level=float(p["quantity"])) for p in points]
    forecast = None
    if ctx.get("as_of") is not None:
        forecast = ForecastLine(
            as_of=ctx["as_of"],
            level=float(ctx["level"]),
            stockout_p10=ctx["stockout_p10"],
            stockout_p50=ctx["stockout_p50"],
            stockout_p90=ctx["stockout_p90"],
            horizon_end=ctx["as_of"] + timedelta(hours=int(ctx["horizon_hours"])),
        )
    return level_chart(
        levels, forecast, now=now, capacity=float(ctx["capacity"]), deliver_at=order.deliver_at,
        next_visit=next_visit, unit=ctx["unit"], zone=zone,
    )  # fmt: skip


def _sensor_text(ctx: dict[str, Any], now: datetime) -> str:
    if ctx.get("sensor_id") is None:
        return "none"
    seen = ctx.get("last_reading_at")
    last = f"last reading {age(now - seen)} ago" if seen else "no reading yet"
    battery = f", battery {ctx['battery']:.0%}" if ctx.get("battery") is not None else ""
    return f"{ctx['sensor_status']}, {last}{battery}"


@router.get("/orders/{order_id}")
async def order_page(
    request: Request, conn: Conn, bconn: BlockingConn, user: Staff, clock: ClockDep,
    order_id: OrderId,
) -> Response:  # fmt: skip
    """One order: per line a chart of levels and forecast, the reasoning in words."""
    now = clock.now()
    order = await run_in_threadpool(scoped.order_in_scope, bconn, order_id, rep=None)
    context = await pq.order_context(conn, order.customer_id, order.id, now)
    assert context is not None  # the order's customer exists (foreign key)
    lines_ctx = await pq.line_context(conn, [ln.stock_point_id for ln in order.lines])
    zone = context["time_zone"]
    names = {sp: c["product"] for sp, c in lines_ctx.items()}
    lines = []
    for line in order.lines:
        ctx = lines_ctx[line.stock_point_id]
        editable = _editable(line, ctx)
        lines.append(
            {
                "stock_point_id": line.stock_point_id,
                "product": ctx["product"],
                "unit": ctx["unit"],
                "quantity": line.quantity,
                "suggested": line.suggested_quantity,
                "packs": editable.packs,
                "max_packs": editable.max_packs,
                "pack_size": float(ctx["pack_size"]),
                "moq": float(ctx["moq"]),
                "capacity": float(ctx["capacity"]),
                "sensor_text": _sensor_text(ctx, now),
                "story": line_story(line.reasoning, unit=ctx["unit"], zone=zone),
                "chart": await _chart(
                    conn,
                    line,
                    ctx,
                    now=now,
                    order=order,
                    next_visit=context["next_visit"],
                    zone=zone,
                ),
            }
        )
    events = [
        {"at": e.at, "actor": e.actor, "text": event_text(e.action, e.detail, names)}
        for e in reversed(order.events)
    ]
    return render(
        request,
        "order.html",
        order=order,
        ctx=context,
        lines=lines,
        events=events,
        why=why_waiting(order.waiting_reasons, names),
    )


def _editable(line: OrderLine, ctx: dict[str, Any]) -> EditableLine:
    return EditableLine(
        stock_point_id=line.stock_point_id,
        product=ctx["product"],
        quantity=line.quantity,
        pack_size=float(ctx["pack_size"]),
        moq=float(ctx["moq"]),
        capacity=float(ctx["capacity"]),
    )


@router.post("/orders/approve")
def bulk_approve(
    request: Request, conn: BlockingConn, user: Staff, clock: ClockDep, form: Posted
) -> Response:
    """Approve the ticked drafts; those that could not be are named with the reason."""
    ids = [int(v) for v in form.all("order") if v.isdigit()]
    if not ids:
        raise Invalid("tick at least one order to approve")
    result = scoped.bulk_approve(conn, ids, actor=user.actor, at=clock.now())
    message = f"Approved {len(result.approved)} order(s)"
    if result.failed:
        failed = "; ".join(f.error for f in result.failed)
        message += f". Not approved: {failed}"
    kind = "error" if result.failed else "ok"
    return redirect(request, "/ui/orders", message=message, kind=kind)


@router.post("/orders/{order_id}/approve")
def approve(
    request: Request, conn: BlockingConn, user: Staff, clock: ClockDep, form: Posted,
    order_id: OrderId,
) -> Response:  # fmt: skip
    """Approve one draft; back to the queue."""
    approval.approve_order(conn, order_id, actor=user.actor, at=clock.now())
    return redirect(request, "/ui/orders", message=f"Order {order_id} approved")


@router.post("/orders/{order_id}/reject")
def reject(
    request: Request, conn: BlockingConn, user: Staff, clock: ClockDep, form: Posted,
    order_id: OrderId,
) -> Response:  # fmt: skip
    """Reject a draft; a reason is required (it tells the next planner why)."""
    reason = form.get("reason").strip()
    if not reason:
        raise Invalid(f"say why order {order_id} is rejected: the reason is required")
    approval.reject_order(conn, order_id, actor=user.actor, at=clock.now(), reason=reason[:1000])
    return redirect(request, "/ui/orders", message=f"Order {order_id} rejected")


@router.post("/orders/{order_id}/edit")
async def edit(
    request: Request, conn: Conn, bconn: BlockingConn, user: Staff, clock: ClockDep,
    form: Posted, order_id: OrderId,
) -> Response:  # fmt: skip
    """Change line quantities, in whole packs; the draft stays a draft."""
    order = await run_in_threadpool(approval.get_order, bconn, order_id)
    ctx = await pq.line_context(conn, [ln.stock_point_id for ln in order.lines])
    lines = {ln.stock_point_id: _editable(ln, ctx[ln.stock_point_id]) for ln in order.lines}
    packs = {
        int(name.removeprefix("packs-")): values[0]
        for name, values in form.fields.items()
        if name.startswith("packs-") and name.removeprefix("packs-").isdigit() and values
    }
    changes = quantities_from_packs(packs, lines)
    if changes:
        await run_in_threadpool(
            approval.edit_order, bconn, order_id, quantities=changes, actor=user.actor,
            at=clock.now(),
        )  # fmt: skip
    message = f"Order {order_id}: {len(changes)} line(s) changed" if changes else "Nothing changed"
    return redirect(request, f"/ui/orders/{order_id}", message=message)
