"""The planner's oversight pages: sensor health with the messages ingest refused, and
the KPIs as charts by rep, segment and week. Reads the API's own queries."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from fastapi import APIRouter, Request, Response

from restock.api.deps import ClockDep, Conn
from restock.api.pages import queries as pq
from restock.api.pages.page_route import PageRoute
from restock.api.pages.render import render
from restock.api.pages.session import Staff
from restock.api.pages.views.kpi_charts import panels, weekly_rows
from restock.api.pages.views.queue import STALE_AFTER
from restock.api.queries.kpis import kpis
from restock.api.queries.rejected import list_rejected, rejection_summary
from restock.core.timefmt import DEFAULT_ZONE, local_day

router = APIRouter(prefix="/ui", include_in_schema=False, route_class=PageRoute)
KPI_DAYS = 28
WEEKS = 8


@router.get("/sensors")
async def sensors_page(request: Request, conn: Conn, user: Staff, clock: ClockDep) -> Response:
    """Sensors, the silent first, and what ingest refused."""
    now = clock.now()
    return render(
        request,
        "sensors.html",
        section="sensors",
        sensors=await pq.sensor_health(
            conn,
            rep=None,
            since=now - timedelta(days=7),
            silent_before=now - STALE_AFTER,
            limit=500,
        ),
        summary=await rejection_summary(conn),
        rejected=await list_rejected(
            conn, reason=None, sensor=None, pending=True, limit=30, offset=0
        ),
        now=now,
    )


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


@router.get("/kpis")
async def kpis_page(request: Request, conn: Conn, user: Staff, clock: ClockDep) -> Response:
    """The KPIs of the last four weeks by rep and segment, and of the last weeks."""
    now = clock.now()
    start = now - timedelta(days=KPI_DAYS)
    by_rep = await kpis(conn, start=start, end=now, group_by="rep", rep=None)
    by_segment = await kpis(conn, start=start, end=now, group_by="segment", rep=None)
    this_week = _monday(local_day(now, DEFAULT_ZONE))
    weeks = []
    for back in range(WEEKS - 1, -1, -1):
        monday = this_week - timedelta(weeks=back)
        begin = datetime.combine(monday, time(0), now.tzinfo)
        end = min(begin + timedelta(weeks=1), now)
        rows = await kpis(conn, start=begin, end=end, group_by="all", rep=None)
        weeks.append((monday, rows))
    names = await pq.rep_names(conn)
    return render(
        request,
        "kpis.html",
        section="kpis",
        days=KPI_DAYS,
        by_week=panels(weekly_rows(weeks), prefix="week", kind="line"),
        by_rep=panels(by_rep, prefix="rep", kind="bar", names=names),
        by_segment=panels(by_segment, prefix="segment", kind="bar"),
        tables={"rep": by_rep, "segment": by_segment},
        names=names,
    )
