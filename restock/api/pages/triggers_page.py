"""Visit triggers on a page: a rep's own (staff: everyone's), most urgent first, each
acknowledged ("seen") or completed ("visited") with one tap."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from restock.api import scoped
from restock.api.deps import BlockingConn, ClockDep, Conn
from restock.api.pages import queries as pq
from restock.api.pages.page_route import PageRoute
from restock.api.pages.render import redirect, render
from restock.api.pages.session import Posted, User
from restock.api.queries import triggers as tq

router = APIRouter(prefix="/ui", include_in_schema=False, route_class=PageRoute)
TriggerId = Annotated[int, Path(ge=1, le=2**62)]
PURPOSES = {
    "stockout_risk": "Stockout risk",
    "order_delivery": "Order to deliver",
    "consumption_drop": "Consumption drop",
    "sensor_offline": "Sensor offline",
    "sensor_bad_data": "Sensor sends bad data",
    "battery_low": "Battery low",
    "unexplained_rise": "Unexplained rise",
    "shelf_too_small": "Shelf too small",
}


@router.get("/triggers")
async def triggers_page(request: Request, conn: Conn, user: User) -> Response:
    """Open and acknowledged triggers."""
    rows = await tq.list_triggers(
        conn, rep=user.scope_rep, statuses=("open", "acknowledged"), limit=300, offset=0
    )
    names = await pq.customer_names(conn, {r["customer_id"] for r in rows})
    return render(
        request, "triggers.html", section="triggers", triggers=rows, names=names,
        purposes=PURPOSES,
    )  # fmt: skip


@router.post("/triggers/{trigger_id}/acknowledge")
def acknowledge(
    request: Request, conn: BlockingConn, user: User, clock: ClockDep, form: Posted,
    trigger_id: TriggerId,
) -> Response:  # fmt: skip
    """The rep has seen it."""
    scoped.acknowledge(conn, trigger_id, rep=user.scope_rep, actor=user.actor, at=clock.now())
    return redirect(request, _back(form.get("back")), message=f"Trigger {trigger_id}: seen")


@router.post("/triggers/{trigger_id}/complete")
def complete(
    request: Request, conn: BlockingConn, user: User, clock: ClockDep, form: Posted,
    trigger_id: TriggerId,
) -> Response:  # fmt: skip
    """The visit it asked for was made."""
    scoped.complete(conn, trigger_id, rep=user.scope_rep, actor=user.actor, at=clock.now())
    return redirect(request, _back(form.get("back")), message=f"Trigger {trigger_id}: done")


def _back(target: str) -> str:
    return target if target.startswith("/ui/") and not target.startswith("//") else "/ui/triggers"
