"""Stock points: everyone but devices reads (reps only their customers'); staff edit."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from restock.api.deps import Conn, PageDep, Reader, Staff
from restock.api.errors import AUTH_RESPONSES, CONFLICT, NOT_FOUND
from restock.api.queries import stock_points as q
from restock.api.routes import V1
from restock.api.schemas.domain import StockPoint, StockPointCreate, StockPointUpdate
from restock.api.schemas.fields import Id
from restock.api.schemas.params import BigIdPath

router = APIRouter(prefix=V1 + "/stock-points", tags=["stock points"], responses=AUTH_RESPONSES)

StockPointId = Annotated[BigIdPath, Path(description="Stock point id")]


@router.get("", response_model=list[StockPoint])
async def list_stock_points(
    conn: Conn, caller: Reader, page: PageDep, customer_id: Annotated[Id | None, Query()] = None
) -> list[dict[str, object]]:
    """List stock points, optionally at one customer."""
    return await q.list_stock_points(
        conn, rep=caller.scope_rep, customer=customer_id, limit=page.limit, offset=page.offset
    )


@router.get("/{stock_point_id}", response_model=StockPoint, responses=NOT_FOUND)
async def get_stock_point(
    conn: Conn, caller: Reader, stock_point_id: StockPointId
) -> dict[str, object]:
    """One stock point."""
    return await q.get_stock_point(conn, stock_point_id, rep=caller.scope_rep)


@router.post("", response_model=StockPoint, status_code=201, responses=CONFLICT)
async def create_stock_point(conn: Conn, _: Staff, body: StockPointCreate) -> dict[str, object]:
    """Create a stock point: one product at one customer site."""
    return await q.create_stock_point(conn, body.model_dump(exclude_unset=True))


@router.patch("/{stock_point_id}", response_model=StockPoint, responses=NOT_FOUND)
async def update_stock_point(
    conn: Conn, _: Staff, stock_point_id: StockPointId, body: StockPointUpdate
) -> dict[str, object]:
    """Change capacity or policy overrides."""
    return await q.update_stock_point(conn, stock_point_id, body.model_dump(exclude_unset=True))
