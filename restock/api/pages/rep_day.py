"""The rep's day, made for a phone: today's route in order with times, a map, the van's
load, each stop's visit brief; a customer's page with check-in/check-out, its open
triggers and its visit history (whoever made the visits). Staff see any rep's day.

Handlers are plain `def` (replenishment's blocking code, in FastAPI's threadpool)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path, Request, Response

from restock.api import scoped
from restock.api.deps import BlockingConn, ClockDep, SettingsDep
from restock.api.errors import Invalid, NotFound
from restock.api.pages.page_route import PageRoute
from restock.api.pages.render import redirect, render
from restock.api.pages.session import PageUser, Posted, User
from restock.api.pages.triggers_page import PURPOSES
from restock.api.pages.views.route_map import Place, route_map
from restock.api.pages.views.van_load import Delivery, van_load
from restock.core.db import Conn
from restock.replenish.errors import RouteNotFound
from restock.replenish.segments import ReplenishConfig
from restock.replenish.visits import visit_log
from restock.replenish.visits import visit_queries as vq
from restock.replenish.visits.brief import build_brief
from restock.replenish.visits.brief_facts import brief_facts

router = APIRouter(prefix="/ui", include_in_schema=False, route_class=PageRoute)
CustomerId = Annotated[str, Path(min_length=1, max_length=200)]
VisitId = Annotated[int, Path(ge=1, le=2**62)]


def _rep_for(conn: Conn, user: PageUser, asked: str) -> Any:
    """The rep whose day is shown: a rep user's own; for staff the one asked for, else
    the first. Raises NotFound."""
    rep_id = user.scope_rep or asked
    if not rep_id:
        everyone = vq.reps(conn)
        if not everyone:
            raise NotFound("there are no reps yet")
        rep_id = everyone[0][0]
    row = vq.rep(conn, rep_id)
    if row is None:
        raise NotFound(f"rep {rep_id!r} does not exist")
    return row


def _day_bounds(day: date, zone: str) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), ZoneInfo(zone))
    return start, start + timedelta(days=1)


@router.get("/day")
def day_page(
    request: Request, conn: BlockingConn, user: User, clock: ClockDep, settings: SettingsDep,
    day: date | None = None, rep: str = "",
) -> Response:  # fmt: skip
    """The rep's route for the day (default today, in the rep's zone)."""
    now = clock.now()
    rep_id, rep_name, depot_lat, depot_lon, zone = _rep_for(conn, user, rep)[:5]
    today = now.astimezone(ZoneInfo(zone)).date()
    day = day or today
    try:
        route = scoped.route_in_scope(conn, rep_id, day, rep=user.scope_rep)
    except RouteNotFound:
        route = None
    stops = route.stops if route else ()
    ids = [s.customer_id for s in stops]
    customers = vq.customers(conn, ids)
    start, end = _day_bounds(day, zone)
    visits: dict[str, list[visit_log.VisitEntry]] = {}
    for row in vq.visits_between(conn, ids, start, end):
        entry = visit_log.VisitEntry.from_row(row)
        visits.setdefault(entry.customer_id, []).append(entry)
    config = ReplenishConfig.from_settings(settings)
    views = []
    for s in stops:
        c = customers[s.customer_id]
        facts = brief_facts(conn, s.customer_id, as_of=now, stop_purposes=s.purposes, config=config)
        done = [v for v in visits.get(s.customer_id, []) if not v.open]
        views.append(
            {
                "stop": s,
                "name": c[1],
                "segment": c[2],
                "brief": build_brief(facts),
                "state": "done" if done else ("here" if visits.get(s.customer_id) else "todo"),
            }
        )
    deliveries = [
        Delivery(
            order_id=int(d[0]),
            customer=customers[d[8]][1],
            product=d[3],
            unit=d[4],
            pack_size=float(d[5]),
            quantity=float(d[6]),
        )
        for d in vq.orders_to_deliver(conn, ids, end)
    ]
    places = [Place(lat=depot_lat, lon=depot_lon, label="D", title=f"Depot of {rep_name}",
                    kind="depot")]  # fmt: skip
    places += [
        Place(
            lat=customers[v["stop"].customer_id][5],
            lon=customers[v["stop"].customer_id][6],
            label=str(v["stop"].seq),
            title=v["name"],
            kind=v["state"],
        )
        for v in views
    ]
    reps = vq.reps(conn) if user.is_staff else []
    return render(
        request,
        "day.html",
        section="day",
        rep_id=rep_id,
        rep_name=rep_name,
        zone=zone,
        day=day,
        today=today,
        route=route,
        stops=views,
        load=van_load(deliveries),
        map=route_map(
            places if len(places) > 1 else [],
            width=440,
            height=360,
            tile_url=settings.pages_map_tile_url,
        ),
        here=visit_log.open_visit(conn, rep_id),
        reps=reps,
        prev_day=day - timedelta(days=1),
        next_day=day + timedelta(days=1),
    )


def _customer_in_scope(conn: Conn, user: PageUser, customer_id: str) -> Any:
    row = vq.customer(conn, customer_id)
    if row is None or (user.scope_rep is not None and row[3] != user.scope_rep):
        raise NotFound(f"customer {customer_id!r} not found")
    return row


@router.get("/customers/{customer_id}")
def customer_page(
    request: Request, conn: BlockingConn, user: User, clock: ClockDep, settings: SettingsDep,
    customer_id: CustomerId,
) -> Response:  # fmt: skip
    """A customer: the visit brief, check-in/out, open triggers, the visit history."""
    now = clock.now()
    row = _customer_in_scope(conn, user, customer_id)
    config = ReplenishConfig.from_settings(settings)
    facts = brief_facts(conn, customer_id, as_of=now, config=config)
    here = visit_log.open_visit(conn, user.rep_id) if user.rep_id else None
    return render(
        request,
        "customer.html",
        section="day",
        customer={
            "id": row[0],
            "name": row[1],
            "segment": row[2],
            "rep_id": row[3],
            "zone": row[4],
            "rep_name": row[7],
        },
        brief=build_brief(facts),
        products=facts.products,
        triggers=vq.open_triggers(conn, customer_id),
        history=visit_log.customer_history(conn, customer_id),
        here=here,
        outcomes=visit_log.OUTCOMES,
        purposes=PURPOSES,
        can_visit=user.rep_id is not None and user.rep_id == row[3],
    )


@router.post("/customers/{customer_id}/check-in")
def check_in(
    request: Request, conn: BlockingConn, user: User, clock: ClockDep, form: Posted,
    customer_id: CustomerId,
) -> Response:  # fmt: skip
    """The rep arrives at the customer."""
    if user.rep_id is None:
        raise Invalid("only a rep checks in at a customer")
    _customer_in_scope(conn, user, customer_id)
    visit_log.check_in(
        conn, rep_id=user.rep_id, customer_id=customer_id, at=clock.now(), actor=user.actor
    )
    return redirect(request, f"/ui/customers/{customer_id}", message="Checked in")


@router.post("/visits/{visit_id}/check-out")
def check_out(
    request: Request, conn: BlockingConn, user: User, clock: ClockDep, form: Posted,
    visit_id: VisitId,
) -> Response:  # fmt: skip
    """The rep leaves: outcome, notes and the next action are kept for whoever comes next."""
    if user.rep_id is None:
        raise Invalid("only a rep checks out of a visit")
    due_text = form.get("next_action_due").strip()
    try:
        due = date.fromisoformat(due_text) if due_text else None
    except ValueError as exc:
        raise Invalid(f"next action date {due_text!r} is not a date") from exc
    entry = visit_log.check_out(
        conn,
        visit_id,
        outcome=form.get("outcome"),
        notes=form.get("notes"),
        next_action=form.get("next_action"),
        next_action_due=due,
        completed_triggers=[int(t) for t in form.all("trigger") if t.isdigit()],
        at=clock.now(),
        actor=user.actor,
        rep=user.rep_id,
    )
    return redirect(request, "/ui/day", message=f"Visit to {entry.customer_id} recorded")
