"""SQL for the visit log and the facts behind a visit brief: one named function each."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from restock.core.db import Conn

VISIT_COLUMNS = (
    "id, customer_id, rep_id, checked_in_at, checked_out_at, outcome, notes, next_action,"
    " next_action_due, checked_in_by, checked_out_by"
)


def customer_owner(conn: Conn, customer_id: str) -> Any:
    """(rep_id,) of the customer, or None when there is no such customer."""
    return conn.execute("SELECT rep_id FROM customers WHERE id = %s", (customer_id,)).fetchone()


def open_visit_of_rep(conn: Conn, rep_id: str, *, lock: bool = False) -> Any:
    return conn.execute(
        f"SELECT {VISIT_COLUMNS} FROM visit_log WHERE rep_id = %s AND checked_out_at IS NULL"
        + (" FOR UPDATE" if lock else ""),
        (rep_id,),
    ).fetchone()


def visit_row(conn: Conn, visit_id: int, *, lock: bool = False) -> Any:
    return conn.execute(
        f"SELECT {VISIT_COLUMNS} FROM visit_log WHERE id = %s" + (" FOR UPDATE" if lock else ""),
        (visit_id,),
    ).fetchone()


def insert_check_in(conn: Conn, *, customer_id: str, rep_id: str, at: datetime, actor: str) -> Any:
    return conn.execute(
        "INSERT INTO visit_log (customer_id, rep_id, checked_in_at, checked_in_by)"
        f" VALUES (%s, %s, %s, %s) RETURNING {VISIT_COLUMNS}",
        (customer_id, rep_id, at, actor),
    ).fetchone()


def set_check_out(
    conn: Conn,
    visit_id: int,
    *,
    at: datetime,
    outcome: str,
    notes: str,
    next_action: str,
    next_action_due: date | None,
    actor: str,
) -> Any:
    return conn.execute(
        "UPDATE visit_log SET checked_out_at = %s, outcome = %s, notes = %s, next_action = %s,"
        f" next_action_due = %s, checked_out_by = %s WHERE id = %s RETURNING {VISIT_COLUMNS}",
        (at, outcome, notes, next_action, next_action_due, actor, visit_id),
    ).fetchone()


def customer_visits(conn: Conn, customer_id: str, limit: int) -> list[Any]:
    """The customer's visits, newest first, whoever made them."""
    return conn.execute(
        f"SELECT {VISIT_COLUMNS} FROM visit_log WHERE customer_id = %s"
        " ORDER BY checked_in_at DESC, id DESC LIMIT %s",
        (customer_id, limit),
    ).fetchall()


CUSTOMER = """
SELECT c.id, c.name, c.segment, c.rep_id, c.time_zone, c.lat, c.lon, r.name
FROM customers c LEFT JOIN reps r ON r.id = c.rep_id WHERE c.id = %s
"""


def customer(conn: Conn, customer_id: str) -> Any:
    """(id, name, segment, rep_id, time_zone, lat, lon, rep name) or None."""
    return conn.execute(CUSTOMER, (customer_id,)).fetchone()


PRODUCTS = """
SELECT sp.id, p.id, p.name, p.unit, p.pack_size, sp.capacity,
       f.as_of, f.level, f.rate_per_hour, f.stockout_p10, f.stockout_p50, f.stockout_p90,
       s.id, s.status, s.battery, s.last_reading_at
FROM stock_points sp
JOIN products p ON p.id = sp.product_id
LEFT JOIN LATERAL (
    SELECT * FROM forecasts f WHERE f.stock_point_id = sp.id AND f.as_of <= %(as_of)s
    ORDER BY f.as_of DESC LIMIT 1
) f ON true
LEFT JOIN LATERAL (
    SELECT id, status, battery, last_reading_at FROM sensors s
    WHERE s.stock_point_id = sp.id AND s.enabled ORDER BY s.last_seen DESC NULLS LAST LIMIT 1
) s ON true
WHERE sp.customer_id = %(customer)s
ORDER BY p.name, sp.id
"""


def customer_products(conn: Conn, customer_id: str, as_of: datetime) -> list[Any]:
    """Per stock point of the customer: (stock point id, product id, name, unit, pack
    size, capacity, forecast as_of, level, rate/h, P10, P50, P90, sensor id, status,
    battery, last reading) — the forecast columns NULL when never forecast."""
    return conn.execute(PRODUCTS, {"customer": customer_id, "as_of": as_of}).fetchall()


def recent_levels(
    conn: Conn, stock_point_ids: Sequence[int], since: datetime, until: datetime
) -> list[Any]:
    """(stock point id, epoch seconds, quantity) of the stock points' readings, in time
    order per stock point."""
    return conn.execute(
        "SELECT s.stock_point_id, extract(epoch FROM r.time)::bigint, r.quantity"
        " FROM readings r JOIN sensors s ON s.id = r.sensor_id"
        " WHERE s.stock_point_id = ANY(%s) AND r.time > %s AND r.time <= %s"
        " ORDER BY 1, 2",
        (list(stock_point_ids), since, until),
    ).fetchall()


def open_triggers(conn: Conn, customer_id: str) -> list[Any]:
    """(id, purpose, due_by, priority, detail, stock_point_id, order_id, status) of the
    customer's unresolved triggers, most urgent first."""
    return conn.execute(
        "SELECT id, purpose, due_by, priority, detail, stock_point_id, order_id, status"
        " FROM visit_triggers WHERE customer_id = %s AND status IN ('open', 'acknowledged')"
        " ORDER BY priority DESC, due_by, id",
        (customer_id,),
    ).fetchall()


DELIVERIES = """
SELECT o.id, o.status, o.deliver_at, p.name, p.unit, p.pack_size, l.quantity, l.stock_point_id,
       o.customer_id, p.id
FROM orders o JOIN order_lines l ON l.order_id = o.id
JOIN stock_points sp ON sp.id = l.stock_point_id JOIN products p ON p.id = sp.product_id
WHERE o.customer_id = ANY(%(customers)s) AND o.status IN ('approved', 'sent')
  AND o.deliver_at < %(until)s AND l.quantity > 0
ORDER BY o.deliver_at, o.id, p.name
"""


def orders_to_deliver(conn: Conn, customer_ids: Sequence[str], until: datetime) -> list[Any]:
    """(order id, status, deliver_at, product name, unit, pack size, quantity, stock
    point id, customer id, product id) of the customers' approved or sent orders due
    before `until`."""
    return conn.execute(DELIVERIES, {"customers": list(customer_ids), "until": until}).fetchall()


def rep(conn: Conn, rep_id: str) -> Any:
    """(id, name, depot_lat, depot_lon, time_zone, work_start, work_end) or None."""
    return conn.execute(
        "SELECT id, name, depot_lat, depot_lon, time_zone, work_start, work_end FROM reps"
        " WHERE id = %s",
        (rep_id,),
    ).fetchone()


def customers(conn: Conn, customer_ids: Sequence[str]) -> dict[str, Any]:
    """Customer id → (id, name, segment, rep_id, time_zone, lat, lon, rep name)."""
    rows = conn.execute(
        CUSTOMER.replace("WHERE c.id = %s", "WHERE c.id = ANY(%s)"), (list(customer_ids),)
    ).fetchall()
    return {str(r[0]): r for r in rows}


def visits_between(
    conn: Conn, customer_ids: Sequence[str], start: datetime, end: datetime
) -> list[Any]:
    """The customers' visits checked in within [start, end), oldest first."""
    return conn.execute(
        f"SELECT {VISIT_COLUMNS} FROM visit_log WHERE customer_id = ANY(%s)"
        " AND checked_in_at >= %s AND checked_in_at < %s ORDER BY checked_in_at",
        (list(customer_ids), start, end),
    ).fetchall()


def reps(conn: Conn) -> list[Any]:
    """(id, name) of every rep, by name."""
    return conn.execute("SELECT id, name FROM reps ORDER BY name, id").fetchall()
