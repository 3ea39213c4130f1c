"""SQL for orders, approval and the replenishment job: one named function each."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

Conn = psycopg.Connection[Any]

POINTS = """
SELECT sp.id, sp.customer_id, sp.product_id, sp.capacity, sp.target_level, sp.service_level,
       p.pack_size, p.moq, p.lead_time_hours, p.unit_cost::float8,
       c.segment, c.rep_id, c.visit_cadence_days,
       f.level, f.rate_per_hour, f.stockout_p10, f.stockout_p50, f.stockout_p90,
       f.stockout_cdf, f.cdf_step_hours, f.as_of,
       s.status, s.battery, s.last_seen,
       coalesce(oo.qty, 0), oo.arrival, coalesce(oo.this_review, false)
FROM stock_points sp
JOIN customers c ON c.id = sp.customer_id
JOIN products p ON p.id = sp.product_id
JOIN LATERAL (
    SELECT * FROM forecasts f WHERE f.stock_point_id = sp.id AND f.as_of <= %(as_of)s
      AND f.as_of > %(as_of)s - %(max_age)s * interval '1 hour'
    ORDER BY f.as_of DESC LIMIT 1
) f ON true
LEFT JOIN LATERAL (
    SELECT status, battery, last_seen FROM sensors s
    WHERE s.stock_point_id = sp.id AND s.enabled ORDER BY s.last_seen DESC NULLS LAST LIMIT 1
) s ON true
LEFT JOIN LATERAL (
    SELECT sum(l.quantity) AS qty, max(o.deliver_at) AS arrival,
           bool_or(o.as_of >= %(as_of)s) AS this_review
    FROM order_lines l JOIN orders o ON o.id = l.order_id
    WHERE l.stock_point_id = sp.id AND o.status IN ('approved', 'sent')
) oo ON true
ORDER BY sp.customer_id, sp.id
"""


def points_with_forecasts(conn: Conn, as_of: datetime, max_age_hours: float) -> list[Any]:
    """Stock points with their newest forecast no older than `max_age_hours` at `as_of`,
    sensor health, quantity on order, its latest arrival, and whether an order for it
    was already made at this `as_of` (columns in POINTS order)."""
    return conn.execute(POINTS, {"as_of": as_of, "max_age": max_age_hours}).fetchall()


def next_visits(conn: Conn, as_of: datetime) -> dict[str, datetime]:
    """Per customer, the soonest planned visit after `as_of`."""
    rows = conn.execute(
        "SELECT customer_id, min(planned_at) FROM planned_visits"
        " WHERE status = 'planned' AND planned_at > %s GROUP BY customer_id",
        (as_of,),
    ).fetchall()
    return {str(r[0]): r[1] for r in rows}


def usual_quantities(conn: Conn, stock_point_ids: Sequence[int]) -> dict[int, float]:
    """Median quantity of the last 10 approved/sent/delivered lines per stock point."""
    rows = conn.execute(
        """
        SELECT stock_point_id, percentile_cont(0.5) WITHIN GROUP (ORDER BY quantity)
        FROM (SELECT l.stock_point_id, l.quantity, row_number() OVER (
                  PARTITION BY l.stock_point_id ORDER BY o.deliver_at DESC) AS n
              FROM order_lines l JOIN orders o ON o.id = l.order_id
              WHERE o.status IN ('approved', 'sent', 'delivered')
                AND l.stock_point_id = ANY(%s)) h
        WHERE n <= 10 GROUP BY stock_point_id
        """,
        (list(stock_point_ids),),
    ).fetchall()
    return {int(r[0]): float(r[1]) for r in rows}


def open_draft(conn: Conn, customer_id: str) -> int | None:
    """The id of the customer's open draft, locked for update, if any."""
    row = conn.execute(
        "SELECT id FROM orders WHERE customer_id = %s AND status = 'draft' FOR UPDATE",
        (customer_id,),
    ).fetchone()
    return None if row is None else int(row[0])


def insert_order(
    conn: Conn, *, customer_id: str, as_of: datetime, deliver_at: datetime, on_visit: bool
) -> int:
    row = conn.execute(
        "INSERT INTO orders (customer_id, as_of, deliver_at, on_planned_visit, created_at,"
        " updated_at) VALUES (%s, %s, %s, %s, %s, %s) RETURNING id",
        (customer_id, as_of, deliver_at, on_visit, as_of, as_of),
    ).fetchone()
    assert row is not None
    return int(row[0])


def update_draft_header(
    conn: Conn, order_id: int, *, as_of: datetime, deliver_at: datetime, on_visit: bool
) -> None:
    conn.execute(
        "UPDATE orders SET as_of = %s, deliver_at = %s, on_planned_visit = %s, updated_at = %s"
        " WHERE id = %s",
        (as_of, deliver_at, on_visit, as_of, order_id),
    )


def line_quantities(conn: Conn, order_id: int) -> dict[int, float]:
    rows = conn.execute(
        "SELECT stock_point_id, quantity FROM order_lines WHERE order_id = %s", (order_id,)
    ).fetchall()
    return {int(r[0]): float(r[1]) for r in rows}


def replace_lines(conn: Conn, order_id: int, lines: Sequence[tuple[Any, ...]]) -> None:
    """Replace the order's lines by (stock_point_id, quantity, unit_cost, reason,
    reasoning dict) tuples and refresh the order value."""
    conn.execute("DELETE FROM order_lines WHERE order_id = %s", (order_id,))
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO order_lines (order_id, stock_point_id, quantity, suggested_quantity,"
            " unit_cost, reason, reasoning) VALUES (%s, %s, %s, %s, %s, %s, %s)",
            [(order_id, sp, q, q, cost, reason, Jsonb(why)) for sp, q, cost, reason, why in lines],
        )
    refresh_value(conn, order_id)


def refresh_value(conn: Conn, order_id: int) -> None:
    conn.execute(
        "UPDATE orders SET value = coalesce((SELECT sum(quantity * unit_cost) FROM order_lines"
        " WHERE order_id = %s), 0) WHERE id = %s",
        (order_id, order_id),
    )


def add_event(
    conn: Conn, order_id: int, *, at: datetime, actor: str, action: str, detail: dict[str, Any]
) -> None:
    """Append to the order's audit trail."""
    conn.execute(
        "INSERT INTO order_events (order_id, at, actor, action, detail)"
        " VALUES (%s, %s, %s, %s, %s)",
        (order_id, at, actor, action, Jsonb(detail)),
    )


def set_waiting(conn: Conn, order_id: int, reasons: Sequence[str]) -> bool:
    """Record why a draft waits; True if the reasons changed."""
    cur = conn.execute(
        "UPDATE orders SET waiting_reasons = %s WHERE id = %s"
        " AND waiting_reasons IS DISTINCT FROM %s",
        (list(reasons), order_id, list(reasons)),
    )
    return cur.rowcount > 0


def order_header(conn: Conn, order_id: int, *, lock: bool = False) -> Any:
    """(id, customer_id, status, as_of, deliver_at, on_planned_visit, value, approved_by,
    approved_rule_id, approved_at, waiting_reasons, created_at, updated_at, segment,
    rep_id) or None."""
    return conn.execute(
        "SELECT o.id, o.customer_id, o.status, o.as_of, o.deliver_at, o.on_planned_visit,"
        " o.value::float8, o.approved_by, o.approved_rule_id, o.approved_at, o.waiting_reasons,"
        " o.created_at, o.updated_at, c.segment, c.rep_id"
        " FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id = %s"
        + (" FOR UPDATE OF o" if lock else ""),
        (order_id,),
    ).fetchone()


def order_lines(conn: Conn, order_id: int) -> list[Any]:
    """(stock_point_id, product_id, quantity, suggested_quantity, unit_cost, reason,
    reasoning, delivered_quantity, reconciled, capacity) per line."""
    return conn.execute(
        "SELECT l.stock_point_id, sp.product_id, l.quantity, l.suggested_quantity,"
        " l.unit_cost::float8, l.reason, l.reasoning, l.delivered_quantity, l.reconciled,"
        " sp.capacity FROM order_lines l JOIN stock_points sp ON sp.id = l.stock_point_id"
        " WHERE l.order_id = %s ORDER BY l.stock_point_id",
        (order_id,),
    ).fetchall()


def order_events(conn: Conn, order_id: int) -> list[Any]:
    """(at, actor, action, detail) oldest first."""
    return conn.execute(
        "SELECT at, actor, action, detail FROM order_events WHERE order_id = %s ORDER BY id",
        (order_id,),
    ).fetchall()


def list_order_ids(conn: Conn, *, status: str | None, customer_id: str | None) -> list[int]:
    rows = conn.execute(
        "SELECT id FROM orders WHERE (%(s)s::text IS NULL OR status = %(s)s)"
        " AND (%(c)s::text IS NULL OR customer_id = %(c)s) ORDER BY deliver_at, id",
        {"s": status, "c": customer_id},
    ).fetchall()
    return [int(r[0]) for r in rows]


def set_status(
    conn: Conn,
    order_id: int,
    status: str,
    *,
    at: datetime,
    approved_by: str | None = None,
    rule_id: int | None = None,
) -> None:
    conn.execute(
        "UPDATE orders SET status = %s, updated_at = %s,"
        " approved_by = coalesce(%s, approved_by), approved_rule_id = coalesce(%s,"
        " approved_rule_id), approved_at = CASE WHEN %s::text IS NULL THEN approved_at ELSE %s"
        " END WHERE id = %s",
        (status, at, approved_by, rule_id, approved_by, at, order_id),
    )


def set_line_quantity(conn: Conn, order_id: int, stock_point_id: int, quantity: float) -> None:
    conn.execute(
        "UPDATE order_lines SET quantity = %s WHERE order_id = %s AND stock_point_id = %s",
        (quantity, order_id, stock_point_id),
    )


def plan_delivery_visit(
    conn: Conn, *, order_id: int, rep_id: str | None, customer_id: str, at: datetime
) -> None:
    """A planned visit to deliver the order (once per order)."""
    conn.execute(
        "INSERT INTO planned_visits (rep_id, customer_id, planned_at, purpose, order_id)"
        " VALUES (%s, %s, %s, 'delivery', %s) ON CONFLICT (order_id) DO NOTHING",
        (rep_id, customer_id, at, order_id),
    )


def close_delivery_visit(conn: Conn, order_id: int, status: str) -> None:
    conn.execute(
        "UPDATE planned_visits SET status = %s WHERE order_id = %s AND status = 'planned'",
        (status, order_id),
    )


def record_delivery(
    conn: Conn, *, order_id: int, stock_point_id: int, quantity: float, at: datetime
) -> None:
    """The delivered line, in the line and in `deliveries` (the simulator's loop reads it)."""
    conn.execute(
        "UPDATE order_lines SET delivered_quantity = %s WHERE order_id = %s"
        " AND stock_point_id = %s",
        (quantity, order_id, stock_point_id),
    )
    conn.execute(
        "INSERT INTO deliveries (stock_point_id, delivered_at, quantity, order_ref)"
        " VALUES (%s, %s, %s, %s)",
        (stock_point_id, at, quantity, f"order:{order_id}"),
    )
