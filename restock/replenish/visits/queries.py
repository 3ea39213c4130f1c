"""SQL for visits and routes: one named function each; rows typed with `class_row`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from psycopg.rows import class_row

from restock.core.db import Conn
from restock.replenish.lifecycle import VisitStatus
from restock.replenish.model import Visit
from restock.replenish.visits.routing import PlannedStop

VISIT_COLUMNS = (
    "v.id, v.rep_id, v.customer_id, v.day, v.planned_at, v.purposes, v.status, v.done_at,"
    " coalesce((SELECT array_agg(o.id ORDER BY o.id) FROM orders o WHERE o.visit_id = v.id),"
    " '{}') AS order_ids"
)


def visit(conn: Conn, visit_id: int, *, lock: bool = False) -> Visit | None:
    with conn.cursor(row_factory=class_row(Visit)) as cur:
        return cur.execute(
            f"SELECT {VISIT_COLUMNS} FROM planned_visits v WHERE v.id = %s"
            + (" FOR UPDATE OF v" if lock else ""),
            (visit_id,),
        ).fetchone()


def planned_on(conn: Conn, customer_id: str, day: date, *, lock: bool = False) -> Visit | None:
    """The customer's planned visit on `day`, if any."""
    with conn.cursor(row_factory=class_row(Visit)) as cur:
        return cur.execute(
            f"SELECT {VISIT_COLUMNS} FROM planned_visits v WHERE v.customer_id = %s"
            " AND v.day = %s AND v.status = 'planned'" + (" FOR UPDATE OF v" if lock else ""),
            (customer_id, day),
        ).fetchone()


def insert_visit(
    conn: Conn,
    *,
    rep_id: str | None,
    customer_id: str,
    day: date,
    planned_at: datetime,
    purposes: Sequence[str],
    status: VisitStatus = VisitStatus.planned,
    done_at: datetime | None = None,
) -> int:
    row = conn.execute(
        "INSERT INTO planned_visits (rep_id, customer_id, day, planned_at, purposes, status,"
        " done_at) VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING id",
        (rep_id, customer_id, day, planned_at, list(purposes), status.value, done_at),
    ).fetchone()
    assert row is not None
    return int(row[0])


def set_purposes(conn: Conn, visit_id: int, purposes: Sequence[str], planned_at: datetime) -> None:
    conn.execute(
        "UPDATE planned_visits SET purposes = %s, planned_at = %s WHERE id = %s",
        (list(purposes), planned_at, visit_id),
    )


def set_status(
    conn: Conn, visit_id: int, status: VisitStatus, *, done_at: datetime | None = None
) -> None:
    conn.execute(
        "UPDATE planned_visits SET status = %s, done_at = %s WHERE id = %s",
        (status.value, done_at, visit_id),
    )


def planned_of_rep(conn: Conn, rep_id: str, day: date) -> list[Visit]:
    """The rep's planned visits on `day`."""
    with conn.cursor(row_factory=class_row(Visit)) as cur:
        return cur.execute(
            f"SELECT {VISIT_COLUMNS} FROM planned_visits v WHERE v.rep_id = %s AND v.day = %s"
            " AND v.status = 'planned' ORDER BY v.id",
            (rep_id, day),
        ).fetchall()


def past_planned(conn: Conn, as_of: datetime) -> list[Visit]:
    """Planned visits whose local day (in the customer's zone) ended before `as_of`."""
    with conn.cursor(row_factory=class_row(Visit)) as cur:
        return cur.execute(
            f"SELECT {VISIT_COLUMNS} FROM planned_visits v JOIN customers c"
            " ON c.id = v.customer_id WHERE v.status = 'planned'"
            " AND v.day < (%s AT TIME ZONE c.time_zone)::date ORDER BY v.id",
            (as_of,),
        ).fetchall()


def customer_visits(conn: Conn, customer_id: str, *, limit: int = 50) -> list[Visit]:
    """The customer's visits, newest day first."""
    with conn.cursor(row_factory=class_row(Visit)) as cur:
        return cur.execute(
            f"SELECT {VISIT_COLUMNS} FROM planned_visits v WHERE v.customer_id = %s"
            " ORDER BY v.day DESC, v.id DESC LIMIT %s",
            (customer_id, limit),
        ).fetchall()


@dataclass(frozen=True, slots=True, kw_only=True)
class RepRow:
    depot_lat: float
    depot_lon: float
    work_start: time
    work_end: time
    work_days: list[int]
    time_zone: str


def rep(conn: Conn, rep_id: str) -> RepRow | None:
    with conn.cursor(row_factory=class_row(RepRow)) as cur:
        return cur.execute(
            "SELECT depot_lat, depot_lon, work_start, work_end, work_days::int[] AS work_days,"
            " time_zone FROM reps WHERE id = %s",
            (rep_id,),
        ).fetchone()


def is_customer_of(conn: Conn, customer_id: str, rep_id: str) -> bool:
    return (
        conn.execute(
            "SELECT 1 FROM customers WHERE id = %s AND rep_id = %s", (customer_id, rep_id)
        ).fetchone()
        is not None
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class CandidateRow:
    """A customer of the rep with what may call a stop on the day: unresolved
    triggers due soon (not delivery triggers: deliveries come from visits), the day's
    planned visit and its purposes, and the day of the last visit made."""

    id: str
    lat: float
    lon: float
    segment: str
    opening_hours: dict[str, Any]
    service_minutes: int
    visit_cadence_days: int | None
    trigger_ids: list[int]
    trigger_purposes: list[str]
    urgent: bool | None
    visit_id: int | None
    visit_purposes: list[str] | None
    deliverable_orders: int
    last_visit: date | None


CANDIDATES = """
SELECT c.id, c.lat, c.lon, c.segment, c.opening_hours, c.service_minutes,
       c.visit_cadence_days,
       coalesce(array_agg(t.id ORDER BY t.id) FILTER (WHERE t.id IS NOT NULL), '{}')
           AS trigger_ids,
       coalesce(array_agg(DISTINCT t.purpose) FILTER (WHERE t.id IS NOT NULL), '{}')
           AS trigger_purposes,
       bool_or(t.due_by < %(soon)s) AS urgent,
       v.id AS visit_id, v.purposes AS visit_purposes,
       (SELECT count(*) FROM orders o WHERE o.visit_id = v.id
          AND o.status IN ('approved', 'sent')) AS deliverable_orders,
       (SELECT max(d.day) FROM planned_visits d WHERE d.customer_id = c.id
          AND d.status = 'done') AS last_visit
FROM customers c
LEFT JOIN visit_triggers t ON t.customer_id = c.id AND t.status IN ('open', 'acknowledged')
    AND t.purpose <> 'order_delivery' AND t.due_by < %(later)s
LEFT JOIN planned_visits v ON v.customer_id = c.id AND v.day = %(day)s AND v.status = 'planned'
WHERE c.rep_id = %(rep)s
GROUP BY c.id, v.id ORDER BY c.id
"""


def route_candidates(
    conn: Conn, *, rep_id: str, day: date, soon: datetime, later: datetime
) -> list[CandidateRow]:
    """The rep's customers with what may call a stop on `day` (see CandidateRow):
    triggers due before `later`, urgent when due before `soon`."""
    with conn.cursor(row_factory=class_row(CandidateRow)) as cur:
        return cur.execute(
            CANDIDATES, {"rep": rep_id, "day": day, "soon": soon, "later": later}
        ).fetchall()


def replace_route(
    conn: Conn,
    *,
    rep_id: str,
    day: date,
    as_of: datetime,
    distance_km: float,
    duration_minutes: float,
    skipped_required: Sequence[str],
    stops: Sequence[PlannedStop],
) -> None:
    """Store the rep's route for `day`, replacing an earlier one."""
    conn.execute("DELETE FROM routes WHERE rep_id = %s AND day = %s", (rep_id, day))
    row = conn.execute(
        "INSERT INTO routes (rep_id, day, as_of, distance_km, duration_minutes,"
        " skipped_required) VALUES (%s, %s, %s, %s, %s, %s) RETURNING id",
        (rep_id, day, as_of, distance_km, duration_minutes, list(skipped_required)),
    ).fetchone()
    assert row is not None
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO route_stops (route_id, seq, customer_id, arrive_at, depart_at,"
            " required, purposes, trigger_ids) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            [
                (row[0], s.seq, s.customer_id, s.arrive_at, s.depart_at, s.required,
                 list(s.purposes), list(s.trigger_ids))
                for s in stops
            ],
        )  # fmt: skip


@dataclass(frozen=True, slots=True, kw_only=True)
class RouteHead:
    id: int
    distance_km: float
    duration_minutes: float
    skipped_required: list[str]


def route_head(conn: Conn, rep_id: str, day: date) -> RouteHead | None:
    with conn.cursor(row_factory=class_row(RouteHead)) as cur:
        return cur.execute(
            "SELECT id, distance_km, duration_minutes, skipped_required FROM routes"
            " WHERE rep_id = %s AND day = %s",
            (rep_id, day),
        ).fetchone()


def route_stops(conn: Conn, route_id: int) -> list[PlannedStop]:
    with conn.cursor(row_factory=class_row(PlannedStop)) as cur:
        return cur.execute(
            "SELECT seq, customer_id, arrive_at, depart_at, required, purposes, trigger_ids"
            " FROM route_stops WHERE route_id = %s ORDER BY seq",
            (route_id,),
        ).fetchall()
