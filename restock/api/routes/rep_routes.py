"""A rep's daily route: the rep reads their own; staff read anyone's and (re)plan. A
rep records the visits they make, which route planning counts cadences from."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from restock.api import scoped
from restock.api.deps import BlockingConn, ClockDep, Reader, SettingsDep, Staff
from restock.api.errors import AUTH_RESPONSES, NOT_FOUND
from restock.api.responses import route_response
from restock.api.routes import V1
from restock.api.schemas.fields import Id
from restock.api.schemas.replenish import Route, Visit, VisitMade
from restock.api.schemas.times import Day
from restock.replenish.segments import ReplenishConfig
from restock.replenish.visits import routes as route_store

router = APIRouter(prefix=V1 + "/reps/{rep_id}", tags=["routes"],
                   responses={**AUTH_RESPONSES, **NOT_FOUND})  # fmt: skip

RepId = Annotated[Id, Path(description="Rep id")]
RouteDay = Annotated[Day, Path(description="The rep's working day, YYYY-MM-DD")]


@router.get("/routes/{day}", response_model=Route)
def get_route(conn: BlockingConn, caller: Reader, rep_id: RepId, day: RouteDay) -> Route:
    """The planned stops of the rep's day, in order, with purposes."""
    return route_response(conn, scoped.route_in_scope(conn, rep_id, day, rep=caller.scope_rep))


@router.post("/routes/{day}", response_model=Route)
def plan_route(
    conn: BlockingConn,
    _: Staff,
    clock: ClockDep,
    settings: SettingsDep,
    rep_id: RepId,
    day: RouteDay,
) -> Route:
    """Plan (or re-plan) the rep's working day from open triggers, deliveries and
    cadence (409 on the rep's day off)."""
    config = ReplenishConfig.from_settings(settings)
    plan = route_store.build_route(conn, rep_id, day, as_of=clock.now(), config=config)
    return route_response(conn, plan)


@router.post("/visits", response_model=Visit, status_code=201)
def record_visit(
    conn: BlockingConn, caller: Reader, clock: ClockDep, rep_id: RepId, body: VisitMade
) -> Visit:
    """The rep visited the customer now: that day's planned visits to it are done (or a
    visit is recorded), and its regular cadence counts from today."""
    at = clock.now()
    visit_id = scoped.record_visit(conn, rep_id, body.customer_id, rep=caller.scope_rep, at=at)
    return Visit(id=visit_id, rep_id=rep_id, customer_id=body.customer_id, at=at)
