"""Reps: list, get, create, update."""

from __future__ import annotations

from typing import Any

from restock.api.queries.rows import Conn, Row, all_rows, insert_row, one_row, update_by_id

COLUMNS = "id, name, depot_lat, depot_lon, work_start, work_end, work_days, time_zone, created_at"
EDITABLE = ("name", "depot_lat", "depot_lon", "work_start", "work_end", "work_days", "time_zone")

LIST = f"""
SELECT {COLUMNS} FROM reps WHERE (%(rep)s::text IS NULL OR id = %(rep)s)
ORDER BY id LIMIT %(limit)s OFFSET %(offset)s
"""
GET = f"SELECT {COLUMNS} FROM reps WHERE id = %(id)s AND (%(rep)s::text IS NULL OR id = %(rep)s)"


async def list_reps(conn: Conn, *, rep: str | None, limit: int, offset: int) -> list[Row]:
    return await all_rows(conn, LIST, {"rep": rep, "limit": limit, "offset": offset})


async def get_rep(conn: Conn, rep_id: str, *, rep: str | None) -> Row:
    return await one_row(conn, GET, {"id": rep_id, "rep": rep}, f"rep {rep_id!r} not found")


async def create_rep(conn: Conn, values: dict[str, Any]) -> Row:
    return await insert_row(conn, "reps", values, EDITABLE, COLUMNS, "rep")


async def update_rep(conn: Conn, rep_id: str, changes: dict[str, Any]) -> Row:
    return await update_by_id(
        conn, "reps", rep_id, changes, EDITABLE, COLUMNS, f"rep {rep_id!r} not found"
    )
