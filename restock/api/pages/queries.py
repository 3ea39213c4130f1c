"""What the pages read that the API's own queries do not return in one go: the draft
queue with its lines' names, forecasts and data age, and an order's context (names,
units, packs, sensors, forecasts, the customer's next visit). One named statement each."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from restock.api.queries.rows import Conn, Row, all_rows

# One row per draft with its lines as JSON: what the queue shows without a query per order.
DRAFTS = """
SELECT o.id, o.customer_id, c.name AS customer_name, c.segment, c.rep_id, r.name AS rep_name,
       c.time_zone, o.deliver_at, o.value::float8 AS value, o.waiting_reasons,
       coalesce(json_agg(json_build_object(
           'stock_point_id', l.stock_point_id, 'product', p.name, 'unit', p.unit,
           'quantity', l.quantity, 'pack_size', p.pack_size,
           'stockout_p10', l.reasoning->>'stockout_p10',
           'stockout_p50', l.reasoning->>'stockout_p50',
           'p_stockout', l.reasoning->'p_stockout',
           'last_reading_at', (SELECT max(s.last_reading_at) FROM sensors s
                               WHERE s.stock_point_id = l.stock_point_id AND s.enabled))
           ORDER BY p.name) FILTER (WHERE l.order_id IS NOT NULL), '[]') AS lines
FROM orders o
JOIN customers c ON c.id = o.customer_id
LEFT JOIN reps r ON r.id = c.rep_id
LEFT JOIN order_lines l ON l.order_id = o.id
LEFT JOIN stock_points sp ON sp.id = l.stock_point_id
LEFT JOIN products p ON p.id = sp.product_id
WHERE o.status = 'draft' AND (%(rep)s::text IS NULL OR c.rep_id = %(rep)s)
GROUP BY o.id, c.id, r.id
LIMIT %(limit)s
"""


async def drafts(conn: Conn, *, rep: str | None, limit: int) -> list[Row]:
    """Draft orders (of `rep`'s customers, or all) with their lines as a JSON list."""
    return await all_rows(conn, DRAFTS, {"rep": rep, "limit": limit})


ORDER_CONTEXT = """
SELECT c.name AS customer_name, c.time_zone, c.segment, r.name AS rep_name,
       (SELECT min(v.planned_at) FROM planned_visits v WHERE v.customer_id = c.id
          AND v.status = 'planned' AND v.planned_at > %(now)s
          AND v.id IS DISTINCT FROM (SELECT o.visit_id FROM orders o WHERE o.id = %(order)s))
       AS next_visit
FROM customers c LEFT JOIN reps r ON r.id = c.rep_id WHERE c.id = %(customer)s
"""
LINE_CONTEXT = """
SELECT sp.id AS stock_point_id, p.name AS product, p.unit, p.pack_size, p.moq, sp.capacity,
       s.id AS sensor_id, s.status AS sensor_status, s.battery, s.last_reading_at,
       f.as_of, f.level, f.stockout_p10, f.stockout_p50, f.stockout_p90, f.horizon_hours
FROM stock_points sp JOIN products p ON p.id = sp.product_id
LEFT JOIN LATERAL (
    SELECT id, status, battery, last_reading_at FROM sensors s
    WHERE s.stock_point_id = sp.id AND s.enabled ORDER BY s.last_reading_at DESC NULLS LAST
    LIMIT 1
) s ON true
LEFT JOIN LATERAL (
    SELECT * FROM forecasts f WHERE f.stock_point_id = sp.id ORDER BY f.as_of DESC LIMIT 1
) f ON true
WHERE sp.id = ANY(%(ids)s)
"""


async def order_context(conn: Conn, customer_id: str, order_id: int, now: Any) -> Row | None:
    """The order's customer (name, zone, segment, rep name) and its next planned visit
    other than this order's delivery."""
    rows = await all_rows(
        conn, ORDER_CONTEXT, {"customer": customer_id, "order": order_id, "now": now}
    )
    return rows[0] if rows else None


async def line_context(conn: Conn, stock_point_ids: Sequence[int]) -> dict[int, Row]:
    """Per stock point: product, unit, packs, capacity, sensor and latest forecast."""
    rows = await all_rows(conn, LINE_CONTEXT, {"ids": list(stock_point_ids)})
    return {int(r["stock_point_id"]): r for r in rows}


SENSOR_HEALTH = """
SELECT s.id, s.kind, s.status, s.battery, s.last_reading_at, s.enabled,
       s.last_reading_at IS NULL OR s.last_reading_at < %(silent)s AS silent,
       c.id AS customer_id, c.name AS customer_name, c.time_zone, p.name AS product,
       (SELECT count(*) FROM rejected_messages m WHERE m.sensor_id = s.id
          AND m.replayed_at IS NULL AND m.received_at > %(since)s) AS rejected
FROM sensors s
LEFT JOIN stock_points sp ON sp.id = s.stock_point_id
LEFT JOIN customers c ON c.id = sp.customer_id
LEFT JOIN products p ON p.id = sp.product_id
WHERE (%(rep)s::text IS NULL OR c.rep_id = %(rep)s)
ORDER BY s.last_reading_at NULLS FIRST, s.id
LIMIT %(limit)s
"""


async def sensor_health(
    conn: Conn, *, rep: str | None, since: Any, silent_before: Any, limit: int
) -> list[Row]:
    """Every sensor (the silent first) with its customer, product, whether it has been
    silent since `silent_before`, and how many of its messages were refused since `since`."""
    params = {"rep": rep, "since": since, "silent": silent_before, "limit": limit}
    return await all_rows(conn, SENSOR_HEALTH, params)


REP_NAMES = "SELECT id, name FROM reps ORDER BY name"


async def rep_names(conn: Conn) -> dict[str, str]:
    return {r["id"]: r["name"] for r in await all_rows(conn, REP_NAMES)}


async def customer_names(conn: Conn, ids: set[str]) -> dict[str, str]:
    rows = await all_rows(
        conn, "SELECT id, name FROM customers WHERE id = ANY(%(ids)s)", {"ids": list(ids)}
    )
    return {r["id"]: r["name"] for r in rows}
