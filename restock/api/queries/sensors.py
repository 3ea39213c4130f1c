"""Sensors: register, bind to a stock point, calibrate, enable/disable; scoped reads."""

from __future__ import annotations

from typing import Any

from restock.api.queries.rows import Conn, Row, all_rows, one_row

COLUMNS = (
    "s.id, s.stock_point_id, s.kind, s.unit, s.tare, s.scale, s.enabled, s.installed_at,"
    " s.last_seen, s.last_reading_at, s.battery, s.status, s.status_changed_at, s.created_at"
)
_SCOPED = """
FROM sensors s
LEFT JOIN stock_points sp ON sp.id = s.stock_point_id
LEFT JOIN customers c ON c.id = sp.customer_id
WHERE (%(rep)s::text IS NULL OR c.rep_id = %(rep)s)
"""
LIST = f"""
SELECT {COLUMNS} {_SCOPED}
  AND (%(stock_point)s::bigint IS NULL OR s.stock_point_id = %(stock_point)s)
  AND (%(status)s::text IS NULL OR s.status = %(status)s)
ORDER BY s.id LIMIT %(limit)s OFFSET %(offset)s
"""
GET = f"SELECT {COLUMNS} {_SCOPED} AND s.id = %(id)s"
REGISTER = """
INSERT INTO sensors (id, stock_point_id, kind, unit, tare, scale, enabled, installed_at)
VALUES (%(id)s, %(stock_point_id)s, %(kind)s, %(unit)s, %(tare)s, %(scale)s, %(enabled)s,
        coalesce(%(installed_at)s::timestamptz, '2000-01-01T00:00:00Z'))
RETURNING id
"""
BIND = "UPDATE sensors SET stock_point_id = %(stock_point_id)s WHERE id = %(id)s RETURNING id"
CALIBRATE = "UPDATE sensors SET tare = %(tare)s, scale = %(scale)s WHERE id = %(id)s RETURNING id"
ENABLE = "UPDATE sensors SET enabled = %(enabled)s WHERE id = %(id)s RETURNING id"


async def list_sensors(
    conn: Conn,
    *,
    rep: str | None,
    stock_point: int | None,
    status: str | None,
    limit: int,
    offset: int,
) -> list[Row]:
    params = {
        "rep": rep, "stock_point": stock_point, "status": status,
        "limit": limit, "offset": offset,
    }  # fmt: skip
    return await all_rows(conn, LIST, params)


async def get_sensor(conn: Conn, sensor_id: str, *, rep: str | None) -> Row:
    """Raises NotFound if there is no such sensor or it is not at `rep`'s customer."""
    return await one_row(
        conn, GET, {"id": sensor_id, "rep": rep}, f"sensor {sensor_id!r} not found"
    )


async def register_sensor(conn: Conn, values: dict[str, Any]) -> Row:
    params = {
        "stock_point_id": None, "tare": 0.0, "scale": 1.0, "enabled": True,
        "installed_at": None, **values,
    }  # fmt: skip
    await one_row(conn, REGISTER, params, "sensor not registered")
    return await get_sensor(conn, values["id"], rep=None)


async def _change(conn: Conn, statement: str, sensor_id: str, params: dict[str, Any]) -> Row:
    await one_row(conn, statement, {**params, "id": sensor_id}, f"sensor {sensor_id!r} not found")
    return await get_sensor(conn, sensor_id, rep=None)


async def bind_sensor(conn: Conn, sensor_id: str, stock_point_id: int | None) -> Row:
    """Bind to a stock point (None unbinds). Raises NotFound for an unknown sensor."""
    return await _change(conn, BIND, sensor_id, {"stock_point_id": stock_point_id})


async def calibrate_sensor(conn: Conn, sensor_id: str, tare: float, scale: float) -> Row:
    """Quantity = (raw - tare) * scale from now on. Raises NotFound for an unknown sensor."""
    return await _change(conn, CALIBRATE, sensor_id, {"tare": tare, "scale": scale})


async def set_enabled(conn: Conn, sensor_id: str, enabled: bool) -> Row:
    return await _change(conn, ENABLE, sensor_id, {"enabled": enabled})
