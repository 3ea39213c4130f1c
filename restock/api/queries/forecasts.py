"""Forecasts: the latest per stock point and a stock point's history."""

from __future__ import annotations

from datetime import datetime

from restock.api.queries.rows import Conn, Row, all_rows, one_row
from restock.api.queries.stock_points import get_stock_point

COLUMNS = (
    "f.stock_point_id, f.as_of, f.model, f.level, f.rate_per_hour, f.stockout_p10,"
    " f.stockout_p50, f.stockout_p90, f.p_stockout_lead_time, f.p_stockout_next_visit,"
    " f.horizon_hours, f.history_start, f.history_end"
)
LATEST_ALL = f"""
SELECT DISTINCT ON (f.stock_point_id) {COLUMNS}, sp.customer_id, sp.product_id
FROM forecasts f
JOIN stock_points sp ON sp.id = f.stock_point_id
JOIN customers c ON c.id = sp.customer_id
WHERE (%(rep)s::text IS NULL OR c.rep_id = %(rep)s)
  AND (%(customer)s::text IS NULL OR sp.customer_id = %(customer)s)
ORDER BY f.stock_point_id, f.as_of DESC
LIMIT %(limit)s OFFSET %(offset)s
"""
LATEST_ONE = f"""
SELECT {COLUMNS}, sp.customer_id, sp.product_id FROM forecasts f
JOIN stock_points sp ON sp.id = f.stock_point_id
WHERE f.stock_point_id = %(id)s ORDER BY f.as_of DESC LIMIT 1
"""
HISTORY = f"""
SELECT {COLUMNS}, sp.customer_id, sp.product_id FROM forecasts f
JOIN stock_points sp ON sp.id = f.stock_point_id
WHERE f.stock_point_id = %(id)s
  AND (%(start)s::timestamptz IS NULL OR f.as_of >= %(start)s)
  AND (%(end)s::timestamptz IS NULL OR f.as_of < %(end)s)
ORDER BY f.as_of DESC LIMIT %(limit)s OFFSET %(offset)s
"""


async def latest_forecasts(
    conn: Conn, *, rep: str | None, customer: str | None, limit: int, offset: int
) -> list[Row]:
    params = {"rep": rep, "customer": customer, "limit": limit, "offset": offset}
    return await all_rows(conn, LATEST_ALL, params)


async def latest_forecast(conn: Conn, stock_point_id: int, *, rep: str | None) -> Row:
    """Raises NotFound if the stock point is unknown, not `rep`'s, or never forecast."""
    await get_stock_point(conn, stock_point_id, rep=rep)
    return await one_row(
        conn, LATEST_ONE, {"id": stock_point_id},
        f"stock point {stock_point_id} has no forecast yet",
    )  # fmt: skip


async def forecast_history(
    conn: Conn,
    stock_point_id: int,
    *,
    rep: str | None,
    start: datetime | None,
    end: datetime | None,
    limit: int,
    offset: int,
) -> list[Row]:
    await get_stock_point(conn, stock_point_id, rep=rep)
    params = {
        "id": stock_point_id, "start": start, "end": end, "limit": limit, "offset": offset,
    }  # fmt: skip
    return await all_rows(conn, HISTORY, params)
