"""Daily routes in the database: gather a rep's stops for a day, plan, save, read back.
Raises RepNotFound, RouteNotFound."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from restock.replenish.errors import CustomerNotFound, RepNotFound, RouteNotFound
from restock.replenish.orders.queries import Conn
from restock.replenish.segments import ReplenishConfig
from restock.replenish.visits.routing import (
    PlannedStop,
    RepDay,
    RoutePlan,
    Stop,
    TravelTimes,
    plan_route,
)

CUSTOMER_STOPS = """
SELECT c.id, c.lat, c.lon, c.segment, c.opening_hours, c.service_minutes, c.visit_cadence_days,
       coalesce(array_agg(t.id ORDER BY t.id) FILTER (WHERE t.id IS NOT NULL), '{}'),
       coalesce(array_agg(DISTINCT t.purpose) FILTER (WHERE t.id IS NOT NULL), '{}'),
       bool_or(t.due_by < %(soon)s),
       (SELECT count(*) FROM planned_visits v WHERE v.customer_id = c.id
          AND v.purpose = 'delivery' AND v.status = 'planned' AND v.planned_at >= %(day_start)s
          AND v.planned_at < %(day_end)s),
       (SELECT max(v.planned_at) FROM planned_visits v WHERE v.customer_id = c.id
          AND v.status = 'done')
FROM customers c
LEFT JOIN visit_triggers t ON t.customer_id = c.id AND t.status IN ('open', 'acknowledged')
    AND t.due_by < %(later)s
WHERE c.rep_id = %(rep)s
GROUP BY c.id ORDER BY c.id
"""


def _at(local: date, clock: str, tz: ZoneInfo) -> datetime:
    """`clock` ("HH:MM") on the local day; "24:00" (open until midnight) is the next
    day's 00:00."""
    if clock == "24:00":
        return datetime.combine(local + timedelta(days=1), time(0), tz)
    return datetime.combine(local, time.fromisoformat(clock), tz)


def _window(
    opening: dict[str, Any], weekday: int, day: RepDay, tz: ZoneInfo, local: date
) -> tuple[datetime, datetime] | None:
    """The opening interval of that weekday overlapping the working day most; the
    working day itself when no opening hours are set; None when closed."""
    if not opening:
        return day.start, day.end
    best: tuple[datetime, datetime] | None = None
    for start_s, end_s in opening.get(str(weekday), []):
        start, end = _at(local, start_s, tz), _at(local, end_s, tz)
        lo, hi = max(start, day.start), min(end, day.end)
        if hi > lo and (best is None or hi - lo > best[1] - best[0]):
            best = (lo, hi)
    return best


def _local_day(day: date, tz: tzinfo | None) -> tuple[datetime, datetime]:
    """Midnight to midnight of `day` in `tz`."""
    begin = datetime.combine(day, time(0), tz)
    return begin, begin + timedelta(days=1)


def gather_stops(
    conn: Conn, rep_id: str, day: date, *, config: ReplenishConfig | None = None
) -> tuple[RepDay, list[Stop], list[str]]:
    """The rep's working day, its candidate stops, and required customers closed that day."""
    cfg = config or ReplenishConfig()
    rep = conn.execute(
        "SELECT depot_lat, depot_lon, work_start, work_end, time_zone FROM reps WHERE id = %s",
        (rep_id,),
    ).fetchone()
    if rep is None:
        raise RepNotFound(rep_id)
    tz = ZoneInfo(rep[4])
    rep_day = RepDay(
        rep_id=rep_id,
        depot=(rep[0], rep[1]),
        start=datetime.combine(day, rep[2], tz),
        end=datetime.combine(day, rep[3], tz),
    )
    day_start, day_end = _local_day(day, tz)
    params = {
        "rep": rep_id,
        "soon": rep_day.end + timedelta(hours=12),
        "later": rep_day.end + timedelta(days=3),
        "day_start": day_start,
        "day_end": day_end,
    }
    stops: list[Stop] = []
    closed: list[str] = []
    for row in conn.execute(CUSTOMER_STOPS, params).fetchall():
        cid, lat, lon, segment, opening, service, cadence = row[:7]
        trigger_ids, purposes, urgent, deliveries, last_visit = row[7:]
        required = bool(urgent) or deliveries > 0
        cadence_days = cfg.cadence_days(segment, cadence)
        cadence_due = segment == "A" and (  # weekly: same weekday, whatever the hour
            last_visit is None or (day - last_visit.astimezone(tz).date()).days >= cadence_days
        )
        if not (required or trigger_ids or cadence_due):
            continue
        window = _window(opening, day.isoweekday(), rep_day, tz, day)
        if window is None:
            if required:
                closed.append(cid)
            continue
        all_purposes = tuple(purposes) + (("delivery",) if deliveries else ())
        stops.append(
            Stop(
                customer_id=cid,
                lat=lat,
                lon=lon,
                required=required,
                window=window,
                service_minutes=service,
                prize_km=(10.0 if cadence_due else 0.0) + (5.0 if trigger_ids else 0.0),
                purposes=all_purposes + (("cadence",) if cadence_due else ()),
                trigger_ids=tuple(trigger_ids),
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
    """Plan the rep's route for `day` and store it (replacing an earlier plan). The
    cadence visits it makes are recorded as planned visits, so that replenishment can
    put lines due soon after on them."""
    rep_day, stops, closed = gather_stops(conn, rep_id, day, config=config)
    plan = plan_route(rep_day, stops, travel=travel, max_runtime_s=max_runtime_s)
    plan = replace(plan, skipped_required=plan.skipped_required + tuple(closed))
    with conn.transaction():
        conn.execute("DELETE FROM routes WHERE rep_id = %s AND day = %s", (rep_id, day))
        row = conn.execute(
            "INSERT INTO routes (rep_id, day, as_of, distance_km, duration_minutes,"
            " skipped_required) VALUES (%s, %s, %s, %s, %s, %s) RETURNING id",
            (
                rep_id,
                day,
                as_of,
                plan.distance_km,
                plan.duration_minutes,
                list(plan.skipped_required),
            ),
        ).fetchone()
        assert row is not None
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO route_stops (route_id, seq, customer_id, arrive_at, depart_at,"
                " required, purposes, trigger_ids) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                [
                    (
                        row[0],
                        s.seq,
                        s.customer_id,
                        s.arrive_at,
                        s.depart_at,
                        s.required,
                        list(s.purposes),
                        list(s.trigger_ids),
                    )
                    for s in plan.stops
                ],
            )
        conn.execute(
            "DELETE FROM planned_visits WHERE rep_id = %s AND purpose = 'cadence'"
            " AND status = 'planned' AND planned_at >= %s AND planned_at < %s",
            (rep_id, *_local_day(day, rep_day.start.tzinfo)),
        )
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO planned_visits (rep_id, customer_id, planned_at, purpose)"
                " VALUES (%s, %s, %s, 'cadence')",
                [
                    (rep_id, s.customer_id, s.arrive_at)
                    for s in plan.stops
                    if "cadence" in s.purposes and "delivery" not in s.purposes
                ],
            )
    return plan


def get_route(conn: Conn, rep_id: str, day: date) -> RoutePlan:
    """The stored route; raises RouteNotFound."""
    head = conn.execute(
        "SELECT id, distance_km, duration_minutes, skipped_required FROM routes"
        " WHERE rep_id = %s AND day = %s",
        (rep_id, day),
    ).fetchone()
    if head is None:
        raise RouteNotFound(rep_id, day.isoformat())
    rows = conn.execute(
        "SELECT seq, customer_id, arrive_at, depart_at, required, purposes, trigger_ids"
        " FROM route_stops WHERE route_id = %s ORDER BY seq",
        (head[0],),
    ).fetchall()
    stops = tuple(
        PlannedStop(
            seq=r[0],
            customer_id=r[1],
            arrive_at=r[2],
            depart_at=r[3],
            required=r[4],
            purposes=tuple(r[5]),
            trigger_ids=tuple(r[6]),
        )
        for r in rows
    )
    start = stops[0].arrive_at if stops else datetime.combine(day, time(0), ZoneInfo("UTC"))
    return RoutePlan(
        rep_id=rep_id,
        start=start,
        stops=stops,
        distance_km=float(head[1]),
        duration_minutes=float(head[2]),
        skipped_required=tuple(head[3]),
    )


def record_visit(conn: Conn, rep_id: str, customer_id: str, *, at: datetime) -> int:
    """The rep visited the customer at `at`: the customer's visits planned for that local
    day are done, or, with none planned, a done visit is recorded (so route planning
    counts the customer's cadence from it). Deliveries stay planned: they are done when
    the order is delivered. Returns the id of a visit now done.
    Raises RepNotFound, CustomerNotFound (not one of the rep's customers)."""
    rep = conn.execute("SELECT time_zone FROM reps WHERE id = %s", (rep_id,)).fetchone()
    if rep is None:
        raise RepNotFound(rep_id)
    mine = conn.execute(
        "SELECT 1 FROM customers WHERE id = %s AND rep_id = %s", (customer_id, rep_id)
    ).fetchone()
    if mine is None:
        raise CustomerNotFound(customer_id, rep_id)
    tz = ZoneInfo(rep[0])
    with conn.transaction():
        done = conn.execute(
            "UPDATE planned_visits SET status = 'done' WHERE customer_id = %s"
            " AND status = 'planned' AND purpose <> 'delivery'"
            " AND planned_at >= %s AND planned_at < %s RETURNING id",
            (customer_id, *_local_day(at.astimezone(tz).date(), tz)),
        ).fetchall()
        if done:
            return int(min(r[0] for r in done))
        row = conn.execute(
            "INSERT INTO planned_visits (rep_id, customer_id, planned_at, purpose, status)"
            " VALUES (%s, %s, %s, 'cadence', 'done') RETURNING id",
            (rep_id, customer_id, at),
        ).fetchone()
        assert row is not None
        return int(row[0])
