"""Products: list, get, create, update."""

from __future__ import annotations

from typing import Any

from restock.api.queries.rows import Conn, Row, all_rows, insert_row, one_row, update_by_id

COLUMNS = (
    "id, name, unit, pack_size, moq, lead_time_hours, unit_cost::float8 AS unit_cost,"
    " unit_weight_g, created_at"
)
EDITABLE = ("name", "unit", "pack_size", "moq", "lead_time_hours", "unit_cost", "unit_weight_g")

LIST = f"SELECT {COLUMNS} FROM products ORDER BY id LIMIT %(limit)s OFFSET %(offset)s"
GET = f"SELECT {COLUMNS} FROM products WHERE id = %(id)s"


async def list_products(conn: Conn, *, limit: int, offset: int) -> list[Row]:
    return await all_rows(conn, LIST, {"limit": limit, "offset": offset})


async def get_product(conn: Conn, product_id: str) -> Row:
    return await one_row(conn, GET, {"id": product_id}, f"product {product_id!r} not found")


async def create_product(conn: Conn, values: dict[str, Any]) -> Row:
    return await insert_row(conn, "products", values, EDITABLE, COLUMNS, "product")


async def update_product(conn: Conn, product_id: str, changes: dict[str, Any]) -> Row:
    return await update_by_id(
        conn, "products", product_id, changes, EDITABLE, COLUMNS,
        f"product {product_id!r} not found",
    )  # fmt: skip
