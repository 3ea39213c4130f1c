"""Every morning, each rep's route for the day: built once per rep and local day with
visits.routes.build_route (and the next day's too once the working day is over, so the
evening before shows tomorrow). A stored route is left alone: a rep's day is not
reshuffled under them. (The product visit planner will replace what this builds.)"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from restock.core.db import Conn
from restock.replenish.segments import ReplenishConfig
from restock.replenish.visits import routes as stored_routes


def days_to_plan(as_of: datetime, zone: str, work_end: time) -> list[date]:
    """The rep's local today, and tomorrow once today's working hours are over."""
    local = as_of.astimezone(ZoneInfo(zone))
    days = [local.date()]
    if local.time() >= work_end:
        days.append(local.date() + timedelta(days=1))
    return days


def plan_routes(conn: Conn, *, as_of: datetime, config: ReplenishConfig | None = None) -> list[str]:
    """Build the missing routes of every rep (see the module docstring); returns
    'rep-id day' for each route built."""
    built = []
    reps = conn.execute("SELECT id, time_zone, work_end FROM reps ORDER BY id").fetchall()
    for rep_id, zone, work_end in reps:
        for day in days_to_plan(as_of, zone, work_end):
            stored = conn.execute(
                "SELECT 1 FROM routes WHERE rep_id = %s AND day = %s", (rep_id, day)
            ).fetchone()
            if stored is None:
                stored_routes.build_route(conn, rep_id, day, as_of=as_of, config=config)
                built.append(f"{rep_id} {day.isoformat()}")
    return built
