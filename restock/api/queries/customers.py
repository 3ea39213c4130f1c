"""Customers: list, get, create, update. A rep scope limits rows to that rep's customers."""

from __future__ import annotations

from typing import Any

from psycopg.types.json import Jsonb

from restock.api.queries.rows import Conn, Row, all_rows, insert_row, one_row, update_by_id

COLUMNS = (
    "id, name, segment, rep_id, lat, lon, time_zone, opening_hours, visit_window_start,"
    " visit_window_end, visit_cadence_days, service_minutes, created_at"
)
EDITABLE = (
    "name", "segment", "rep_id", "lat", "lon", "time_zone", "opening_hours",
    "visit_window_start", "visit_window_end", "visit_cadence_days", "service_minutes",
)  # fmt: skip

LIST = f"""
SELECT {COLUMNS} FROM customers
WHERE (%(rep)s::text IS NULL OR rep_id = %(rep)s)
  AND (%(segment)s::text IS NULL OR segment = %(segment)s)
ORDER BY id LIMIT %(limit)s OFFSET %(offset)s
"""
GET = f"""
SELECT {COLUMNS} FROM customers
WHERE id = %(id)s AND (%(rep)s::text IS NULL OR rep_id = %(rep)s)
"""


async def list_customers(
    conn: Conn, *, rep: str | None, segment: str | None, limit: int, offset: int
) -> list[Row]:
    return await all_rows(
        conn, LIST, {"rep": rep, "segment": segment, "limit": limit, "offset": offset}
    )


async def get_customer(conn: Conn, customer_id: str, *, rep: str | None) -> Row:
    """Raises NotFound if there is no such customer or it is not `rep`'s."""
    return await one_row(
        conn, GET, {"id": customer_id, "rep": rep}, f"customer {customer_id!r} not found"
    )


def _as_stored(values: dict[str, Any]) -> dict[str, Any]:
    """Opening hours go to their jsonb column as JSON."""
    if "opening_hours" in values:
        return {**values, "opening_hours": Jsonb(values["opening_hours"])}
    return values


async def create_customer(conn: Conn, values: dict[str, Any]) -> Row:
    return await insert_row(conn, "customers", _as_stored(values), EDITABLE, COLUMNS, "customer")


async def update_customer(conn: Conn, customer_id: str, changes: dict[str, Any]) -> Row:
    return await update_by_id(
        conn, "customers", customer_id, _as_stored(changes), EDITABLE, COLUMNS,
        f"customer {customer_id!r} not found",
    )  # fmt: skip
