"""Readings for charts: a time range cut into at most `max_points` buckets per series."""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta

from restock.api.errors import Invalid
from restock.api.queries.rows import Conn, all_rows
from restock.api.queries.sensors import get_sensor
from restock.api.queries.stock_points import get_stock_point

MIN_BUCKET_S = 60
DEFAULT_SPAN = timedelta(days=7)

BY_STOCK_POINT = """
SELECT date_bin(make_interval(secs => %(bucket)s), r.time, %(start)s) AS time,
       avg(r.quantity) AS quantity, min(r.quantity) AS min, max(r.quantity) AS max,
       count(*) AS readings
FROM readings r
WHERE r.sensor_id IN (SELECT id FROM sensors WHERE stock_point_id = %(stock_point)s)
  AND r.time >= %(start)s AND r.time < %(end)s
  AND (%(rep)s::text IS NULL OR EXISTS (
      SELECT 1 FROM stock_points sp JOIN customers c ON c.id = sp.customer_id
      WHERE sp.id = %(stock_point)s AND c.rep_id = %(rep)s))
GROUP BY 1 ORDER BY 1
"""
BY_SENSOR = """
SELECT date_bin(make_interval(secs => %(bucket)s), r.time, %(start)s) AS time,
       avg(r.quantity) AS quantity, min(r.quantity) AS min, max(r.quantity) AS max,
       count(*) AS readings
FROM readings r
WHERE r.sensor_id = %(sensor)s AND r.time >= %(start)s AND r.time < %(end)s
  AND (%(rep)s::text IS NULL OR EXISTS (
      SELECT 1 FROM sensors s JOIN stock_points sp ON sp.id = s.stock_point_id
      JOIN customers c ON c.id = sp.customer_id WHERE s.id = %(sensor)s AND c.rep_id = %(rep)s))
GROUP BY 1 ORDER BY 1
"""


def bucket_seconds(start: datetime, end: datetime, max_points: int) -> int:
    """The bucket width that fits [start, end) into `max_points`, at least a minute.

    Raises Invalid if the range is empty or backwards.
    """
    span = (end - start).total_seconds()
    if span <= 0:
        raise Invalid(f"start {start.isoformat()} must be before end {end.isoformat()}")
    return max(MIN_BUCKET_S, math.ceil(span / max_points))


def chart_range(
    start: datetime | None, end: datetime | None, now: datetime
) -> tuple[datetime, datetime]:
    """The range a chart covers: by default the week up to `now`."""
    stop = end or now
    return (start or stop - DEFAULT_SPAN), stop


async def stock_point_chart(
    conn: Conn,
    stock_point_id: int,
    *,
    rep: str | None,
    start: datetime,
    end: datetime,
    max_points: int,
) -> dict[str, object]:
    """Buckets of avg/min/max quantity and reading count for a stock point's sensors.

    Raises NotFound if the stock point does not exist or is not at `rep`'s customer
    (the chart's own query is scoped: only an empty chart costs a second query), and
    Invalid for an empty range.
    """
    params = {"stock_point": stock_point_id, "rep": rep}
    return await _chart(
        conn, BY_STOCK_POINT, params, start, end, max_points,
        found=lambda: get_stock_point(conn, stock_point_id, rep=rep),
    )  # fmt: skip


async def sensor_chart(
    conn: Conn,
    sensor_id: str,
    *,
    rep: str | None,
    start: datetime,
    end: datetime,
    max_points: int,
) -> dict[str, object]:
    """As stock_point_chart, for one sensor."""
    params = {"sensor": sensor_id, "rep": rep}
    return await _chart(
        conn, BY_SENSOR, params, start, end, max_points,
        found=lambda: get_sensor(conn, sensor_id, rep=rep),
    )  # fmt: skip


async def _chart(
    conn: Conn,
    query: str,
    params: Mapping[str, object],
    start: datetime,
    end: datetime,
    max_points: int,
    *,
    found: Callable[[], Awaitable[object]],
) -> dict[str, object]:
    """The chart `query` draws for `params`; `found` raises NotFound when the series does
    not exist or is not the caller's (asked first for a bad range, then only when the
    chart is empty)."""
    try:
        bucket = bucket_seconds(start, end, max_points)
    except Invalid:
        await found()  # an unknown series is 404 first
        raise
    points = await all_rows(
        conn, query, {**params, "bucket": bucket, "start": start, "end": end}, binary=True
    )
    if not points:  # no readings in range, or no series this caller may see
        await found()
    return {"start": start, "end": end, "bucket_seconds": bucket, "points": points}
