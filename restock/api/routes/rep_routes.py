"""A rep's daily route: the rep reads their own; staff read anyone's and (re)plan."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter

from restock.api import scoped
from restock.api.deps import BlockingConn, ClockDep, Reader, SettingsDep, Staff
from restock.api.errors import AUTH_RESPONSES, NOT_FOUND
from restock.api.routes import V1
from restock.api.schemas.replenish import Route
from restock.replenish import route_store
from restock.replenish.routes import RoutePlan
from restock.replenish.segments import ReplenishConfig

router = APIRouter(prefix=V1 + "/reps/{rep_id}/routes", tags=["routes"],
                   responses={**AUTH_RESPONSES, **NOT_FOUND})  # fmt: skip


@router.get("/{day}", response_model=Route)
def get_route(conn: BlockingConn, caller: Reader, rep_id: str, day: date) -> RoutePlan:
    """The planned stops of the rep's day, in order, with purposes."""
    return scoped.route_in_scope(conn, rep_id, day, rep=caller.scope_rep)


@router.post("/{day}", response_model=Route)
def plan_route(
    conn: BlockingConn, _: Staff, clock: ClockDep, settings: SettingsDep, rep_id: str, day: date
) -> RoutePlan:
    """Plan (or re-plan) the rep's day from open triggers, deliveries and cadence."""
    config = ReplenishConfig.from_settings(settings)
    return route_store.build_route(conn, rep_id, day, as_of=clock.now(), config=config)
