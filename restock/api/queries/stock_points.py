"""Stock points (one product at one customer site), scoped to a rep's customers."""

from __future__ import annotations

from typing import Any

from restock.api.queries.rows import Conn, Row, all_rows, one_row, update_by_id

COLUMNS = (
    "sp.id, sp.customer_id, sp.product_id, sp.capacity, sp.target_level, sp.service_level,"
    " sp.created_at"
)
EDITABLE = ("capacity", "target_level", "service_level")

LIST = f"""
SELECT {COLUMNS} FROM stock_points sp JOIN customers c ON c.id = sp.customer_id
WHERE (%(rep)s::text IS NULL OR c.rep_id = %(rep)s)
  AND (%(customer)s::text IS NULL OR sp.customer_id = %(customer)s)
ORDER BY sp.id LIMIT %(limit)s OFFSET %(offset)s
"""
GET = f"""
SELECT {COLUMNS} FROM stock_points sp JOIN customers c ON c.id = sp.customer_id
WHERE sp.id = %(id)s AND (%(rep)s::text IS NULL OR c.rep_id = %(rep)s)
"""
CREATE = f"""
INSERT INTO stock_points AS sp (customer_id, product_id, capacity, target_level, service_level)
VALUES (%(customer_id)s, %(product_id)s, %(capacity)s, %(target_level)s, %(service_level)s)
RETURNING {COLUMNS}
"""


async def list_stock_points(
    conn: Conn, *, rep: str | None, customer: str | None, limit: int, offset: int
) -> list[Row]:
    params = {"rep": rep, "customer": customer, "limit": limit, "offset": offset}
    return await all_rows(conn, LIST, params)


async def get_stock_point(conn: Conn, stock_point_id: int, *, rep: str | None) -> Row:
    """Raises NotFound if there is no such stock point or it is not at `rep`'s customer."""
    return await one_row(
        conn, GET, {"id": stock_point_id, "rep": rep},
        f"stock point {stock_point_id} not found",
    )  # fmt: skip


async def create_stock_point(conn: Conn, values: dict[str, Any]) -> Row:
    params = {"target_level": None, "service_level": None, **values}
    return await one_row(conn, CREATE, params, "stock point not created")


async def update_stock_point(conn: Conn, stock_point_id: int, changes: dict[str, Any]) -> Row:
    row = await update_by_id(
        conn, "stock_points", stock_point_id, changes, EDITABLE, "id",
        f"stock point {stock_point_id} not found",
    )  # fmt: skip
    return await get_stock_point(conn, int(row["id"]), rep=None)
