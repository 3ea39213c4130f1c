"""Forecasts: the latest for every stock point in view, and one stock point's history."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from restock.api.deps import Conn, PageDep, Reader
from restock.api.errors import AUTH_RESPONSES, NOT_FOUND
from restock.api.queries import forecasts as q
from restock.api.routes import V1
from restock.api.routes.stock_points import StockPointId
from restock.api.schemas.data import Forecast
from restock.api.schemas.fields import Id
from restock.api.schemas.times import OffsetDateTime

router = APIRouter(prefix=V1, tags=["forecasts"], responses=AUTH_RESPONSES)


@router.get("/forecasts/latest", response_model=list[Forecast])
async def latest_forecasts(
    conn: Conn, caller: Reader, page: PageDep, customer_id: Annotated[Id | None, Query()] = None
) -> list[dict[str, object]]:
    """The latest forecast of every stock point (a rep: their customers' only)."""
    return await q.latest_forecasts(
        conn, rep=caller.scope_rep, customer=customer_id, limit=page.limit, offset=page.offset
    )


@router.get(
    "/stock-points/{stock_point_id}/forecasts/latest", response_model=Forecast, responses=NOT_FOUND
)
async def latest_forecast(
    conn: Conn, caller: Reader, stock_point_id: StockPointId
) -> dict[str, object]:
    """A stock point's latest forecast: level, rate, stockout P10/P50/P90."""
    return await q.latest_forecast(conn, stock_point_id, rep=caller.scope_rep)


@router.get(
    "/stock-points/{stock_point_id}/forecasts", response_model=list[Forecast], responses=NOT_FOUND
)
async def forecast_history(
    conn: Conn,
    caller: Reader,
    page: PageDep,
    stock_point_id: StockPointId,
    start: Annotated[OffsetDateTime | None, Query(description="as_of from (inclusive)")] = None,
    end: Annotated[OffsetDateTime | None, Query(description="as_of to (exclusive)")] = None,
) -> list[dict[str, object]]:
    """A stock point's forecasts, newest first."""
    return await q.forecast_history(
        conn,
        stock_point_id,
        rep=caller.scope_rep,
        start=start,
        end=end,
        limit=page.limit,
        offset=page.offset,
    )
