"""Readings over a time range, downsampled for charts (served as RowsResponse: the
chart is the hot path)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from restock.api.deps import ClockDep, Conn, Reader
from restock.api.errors import AUTH_RESPONSES, NOT_FOUND
from restock.api.queries import readings as q
from restock.api.responses import RowsResponse
from restock.api.routes import V1
from restock.api.routes.sensors import SensorId
from restock.api.routes.stock_points import StockPointId
from restock.api.schemas.data import ReadingChart
from restock.api.schemas.params import IntParam
from restock.api.schemas.times import OffsetDateTime

router = APIRouter(prefix=V1, tags=["readings"], responses={**AUTH_RESPONSES, **NOT_FOUND})

Start = Annotated[
    OffsetDateTime | None, Query(description="From (inclusive); default end - 7 days")
]
End = Annotated[OffsetDateTime | None, Query(description="To (exclusive); default now")]
MaxPoints = Annotated[IntParam, Query(ge=1, le=10_000, description="Most buckets returned")]


@router.get("/stock-points/{stock_point_id}/readings", response_model=ReadingChart)
async def stock_point_readings(
    conn: Conn,
    caller: Reader,
    clock: ClockDep,
    stock_point_id: StockPointId,
    start: Start = None,
    end: End = None,
    max_points: MaxPoints = 500,
) -> RowsResponse:
    """A stock point's level over time, in at most `max_points` buckets."""
    first, last = q.chart_range(start, end, clock.now())
    chart = await q.stock_point_chart(
        conn, stock_point_id, rep=caller.scope_rep, start=first, end=last, max_points=max_points
    )
    return RowsResponse(chart)


@router.get("/sensors/{sensor_id}/readings", response_model=ReadingChart)
async def sensor_readings(
    conn: Conn,
    caller: Reader,
    clock: ClockDep,
    sensor_id: SensorId,
    start: Start = None,
    end: End = None,
    max_points: MaxPoints = 500,
) -> RowsResponse:
    """One sensor's readings over time, in at most `max_points` buckets."""
    first, last = q.chart_range(start, end, clock.now())
    chart = await q.sensor_chart(
        conn, sensor_id, rep=caller.scope_rep, start=first, end=last, max_points=max_points
    )
    return RowsResponse(chart)
