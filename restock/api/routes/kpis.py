"""KPIs over a period, per rep, per segment or overall (a rep: their own)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from restock.api.deps import ClockDep, Conn, Reader
from restock.api.errors import AUTH_RESPONSES
from restock.api.queries import kpis as q
from restock.api.routes import V1
from restock.api.schemas.times import OffsetDateTime

router = APIRouter(prefix=V1 + "/kpis", tags=["KPIs"], responses=AUTH_RESPONSES)


class Kpis(BaseModel):
    group: str
    visits: int
    orders: int
    orders_per_visit: float | None
    order_value: float
    order_value_per_visit: float | None
    stockouts: int
    stockout_hours: int
    fill_rate: float | None
    auto_approval_rate: float | None
    repeat_rate: float | None
    churn_risk_customers: int
    forecast_error: float | None


@router.get("", response_model=list[Kpis])
async def kpis(
    conn: Conn,
    caller: Reader,
    clock: ClockDep,
    start: Annotated[OffsetDateTime | None, Query(description="Default: end - 90 days")] = None,
    end: Annotated[OffsetDateTime | None, Query(description="Default: now")] = None,
    group_by: Annotated[q.GroupBy, Query()] = "rep",
) -> list[dict[str, object]]:
    """Visits, orders and value per visit, stockouts, fill, auto-approval and repeat
    rates, churn-risk customers and forecast error over [start, end)."""
    stop = end or clock.now()
    return await q.kpis(
        conn,
        start=start or stop - timedelta(days=90),
        end=stop,
        group_by=group_by,
        rep=caller.scope_rep,
    )
