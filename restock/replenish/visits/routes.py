"""Daily routes in the database: gather a rep's stops for a working day, plan, save,
read back. Raises RepNotFound, RepDayOff, RouteNotFound."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from restock.core.db import Conn
from restock.replenish.errors import RepDayOff, RouteNotFound
from restock.replenish.segments import ReplenishConfig
from restock.replenish.visits import queries as q
from restock.replenish.visits import service as visits
from restock.replenish.visits.routing import RepDay, RoutePlan, Stop, TravelTimes, plan_route

CADENCE = "cadence"


def _window(
    opening: dict[str, Any], weekday: int, day: RepDay, tz: ZoneInfo, local: date
) -> tuple[datetime, datetime] | None:
    """The opening interval of that weekday overlapping the working day most; the
    working day itself when no opening hours are set; None when closed."""
    if not opening:
        return day.start, day.end
    best: tuple[datetime, datetime] | None = None
    for start_s, end_s in opening.get(str(weekday), []):
        start = datetime.combine(local, time.fromisoformat(start_s), tz)
        end = datetime.combine(local, time.fromisoformat(end_s), tz)
        lo, hi = max(start, day.start), min(end, day.end)
        if hi > lo and (best is None or hi - lo > best[1] - best[0]):
            best = (lo, hi)
    return best


def gather_stops(
    conn: Conn, rep_id: str, day: date, *, config: ReplenishConfig | None = None
) -> tuple[RepDay, list[Stop], list[str]]:
    """The rep's working day, its candidate stops, and required customers closed that
    day. Required: the day's planned visit with an order to deliver, or a trigger due
    before the day after ends; optional: other triggers due within three days, and the
    relationship cadence of segments that keep one. Raises RepNotFound, RepDayOff."""
    cfg = config or ReplenishConfig()
    work = visits.rep_week(conn, rep_id)
    if not work.works_on(day):
        raise RepDayOff(rep_id, work.describe_day_off(day))
    rep = q.rep(conn, rep_id)
    assert rep is not None  # rep_week found it
    start, end = work.hours(day)
    rep_day = RepDay(rep_id=rep_id, depot=(rep.depot_lat, rep.depot_lon), start=start, end=end)
    candidates = q.route_candidates(
        conn, rep_id=rep_id, day=day, soon=end + timedelta(hours=12), later=end + timedelta(days=3)
    )
    stops: list[Stop] = []
    closed: list[str] = []
    for c in candidates:
        delivers = c.deliverable_orders > 0
        required = bool(c.urgent) or delivers
        cadence_days = cfg.cadence_days(c.segment, c.visit_cadence_days)
        cadence_due = cfg.segment(c.segment).keeps_cadence and (
            c.last_visit is None or (day - c.last_visit).days >= cadence_days
        )
        planned = [p for p in c.visit_purposes or () if p not in (visits.DELIVERY, CADENCE)]
        if not (required or c.trigger_ids or cadence_due or planned):
            continue
        window = _window(c.opening_hours, day.isoweekday(), rep_day, work.zone, day)
        if window is None:
            if required:
                closed.append(c.id)
            continue
        purposes = (
            tuple(c.trigger_purposes)
            + tuple(p for p in planned if p not in c.trigger_purposes)
            + ((visits.DELIVERY,) if delivers else ())
            + ((CADENCE,) if cadence_due else ())
        )
        stops.append(
            Stop(
                customer_id=c.id,
                lat=c.lat,
                lon=c.lon,
                required=required,
                window=window,
                service_minutes=c.service_minutes,
                prize_km=(10.0 if cadence_due else 0.0) + (5.0 if c.trigger_ids else 0.0),
                purposes=purposes,
                trigger_ids=tuple(c.trigger_ids),
            )
        )
    return rep_day, stops, closed


def build_route(
    conn: Conn,
    rep_id: str,
    day: date,
    *,
    as_of: datetime,
    travel: TravelTimes | None = None,
    max_runtime_s: float = 1.0,
    config: ReplenishConfig | None = None,
) -> RoutePlan:
    """Plan the rep's route for working day `day` and store it (replacing an earlier
    plan). Each stop is a planned visit of that day (the cadence and trigger visits it
    makes are planned, so that replenishment can put lines due soon after on them).
    Raises RepNotFound, RepDayOff."""
    rep_day, stops, closed = gather_stops(conn, rep_id, day, config=config)
    plan = plan_route(rep_day, stops, travel=travel, max_runtime_s=max_runtime_s)
    plan = replace(plan, skipped_required=plan.skipped_required + tuple(closed))
    with conn.transaction():
        q.replace_route(
            conn,
            rep_id=rep_id,
            day=day,
            as_of=as_of,
            distance_km=plan.distance_km,
            duration_minutes=plan.duration_minutes,
            skipped_required=plan.skipped_required,
            stops=plan.stops,
        )
        for s in plan.stops:
            wanted = [p for p in s.purposes if p != visits.DELIVERY]
            if wanted:
                visits.plan(conn, rep_id=rep_id, customer_id=s.customer_id, day=day,
                            planned_at=s.arrive_at, purposes=wanted, actor="job",
                            at=as_of)  # fmt: skip
        routed = {s.customer_id for s in plan.stops}
        for visit in q.planned_of_rep(conn, rep_id, day):
            if visit.customer_id in routed:
                continue
            for purpose in visit.purposes:  # deliveries stay: they are the orders'
                if purpose != visits.DELIVERY:
                    visits.drop_purpose(conn, visit.id, purpose, actor="job", at=as_of,
                                        reason="not on the re-planned route")  # fmt: skip
    return plan


def get_route(conn: Conn, rep_id: str, day: date) -> RoutePlan:
    """The stored route; raises RouteNotFound."""
    head = q.route_head(conn, rep_id, day)
    if head is None:
        raise RouteNotFound(rep_id, day.isoformat())
    stops = tuple(q.route_stops(conn, head.id))
    start = stops[0].arrive_at if stops else datetime.combine(day, time(0), ZoneInfo("UTC"))
    return RoutePlan(
        rep_id=rep_id,
        start=start,
        stops=stops,
        distance_km=head.distance_km,
        duration_minutes=head.duration_minutes,
        skipped_required=tuple(head.skipped_required),
    )
