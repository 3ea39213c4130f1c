"""SQL for orders: drafts, planner actions, holds, reconciliation. One named function
each; rows typed with `class_row`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg.rows import class_row
from psycopg.types.json import Jsonb

from restock.core.db import Conn
from restock.replenish.lifecycle import OrderStatus
from restock.replenish.model import Hold, OrderLine
from restock.replenish.orders.auto_approve import Rule

RULE_COLUMNS = (
    "id, name, segment, customer_id, product_id, max_value::float8 AS max_value,"
    " max_deviation, max_interval_ratio, require_healthy_sensor, min_battery,"
    " max_silence_hours, enabled"
)


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


def open_drafts(conn: Conn, customer_id: str) -> list[int]:
    """The ids of the customer's open drafts, soonest delivery first, locked for update."""
    rows = conn.execute(
        "SELECT id FROM orders WHERE customer_id = %s AND status = 'draft'"
        " ORDER BY deliver_at, id FOR UPDATE",
        (customer_id,),
    ).fetchall()
    return [int(r[0]) for r in rows]


def drafts_by_customer(conn: Conn) -> dict[str, list[int]]:
    """Every open draft's id, by customer."""
    out: dict[str, list[int]] = {}
    for customer_id, order_id in conn.execute(
        "SELECT customer_id, id FROM orders WHERE status = 'draft' ORDER BY deliver_at, id"
    ).fetchall():
        out.setdefault(str(customer_id), []).append(int(order_id))
    return out


def delete_lines(conn: Conn, order_id: int) -> None:
    conn.execute("DELETE FROM order_lines WHERE order_id = %s", (order_id,))


def orders_without_planned_visit(conn: Conn) -> list[int]:
    """Orders on their way whose delivery visit is not (or no longer) planned."""
    rows = conn.execute(
        "SELECT o.id FROM orders o LEFT JOIN planned_visits v ON v.id = o.visit_id"
        " WHERE o.status IN ('approved', 'sent') AND (v.id IS NULL OR v.status <> 'planned')"
        " ORDER BY o.id"
    ).fetchall()
    return [int(r[0]) for r in rows]


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
    delete_lines(conn, order_id)
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


def set_waiting(conn: Conn, order_id: int, reasons: Sequence[str]) -> bool:
    """Record why a draft waits; True if the reasons changed."""
    cur = conn.execute(
        "UPDATE orders SET waiting_reasons = %s WHERE id = %s"
        " AND waiting_reasons IS DISTINCT FROM %s",
        (list(reasons), order_id, list(reasons)),
    )
    return cur.rowcount > 0


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderHead:
    """An order without its lines and trail, with its customer's name, segment, rep and
    the rep's time zone."""

    id: int
    customer_id: str
    customer_name: str
    status: OrderStatus
    as_of: datetime
    deliver_at: datetime
    on_planned_visit: bool
    visit_id: int | None
    value: float
    approved_by: str | None
    approved_rule_id: int | None
    approved_at: datetime | None
    delivered_at: datetime | None
    closed_reason: str | None
    waiting_reasons: list[str]
    created_at: datetime
    segment: str
    rep_id: str | None


def order_head(conn: Conn, order_id: int, *, lock: bool = False) -> OrderHead | None:
    """The order's head (locked for update with `lock`), or None."""
    with conn.cursor(row_factory=class_row(OrderHead)) as cur:
        return cur.execute(
            "SELECT o.id, o.customer_id, c.name AS customer_name, o.status, o.as_of,"
            " o.deliver_at, o.on_planned_visit, o.visit_id, o.value::float8 AS value,"
            " o.approved_by, o.approved_rule_id, o.approved_at, o.delivered_at,"
            " o.closed_reason, o.waiting_reasons, o.created_at, c.segment, c.rep_id"
            " FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id = %s"
            + (" FOR UPDATE OF o" if lock else ""),
            (order_id,),
        ).fetchone()


def order_lines(conn: Conn, order_id: int) -> list[OrderLine]:
    """The order's lines by stock point."""
    with conn.cursor(row_factory=class_row(OrderLine)) as cur:
        return cur.execute(
            "SELECT l.stock_point_id, sp.product_id, p.name AS product_name, l.quantity,"
            " l.suggested_quantity, l.unit_cost::float8 AS unit_cost, l.reason, l.reasoning,"
            " l.override, l.delivered_quantity, l.reconciled"
            " FROM order_lines l JOIN stock_points sp ON sp.id = l.stock_point_id"
            " JOIN products p ON p.id = sp.product_id"
            " WHERE l.order_id = %s ORDER BY l.stock_point_id",
            (order_id,),
        ).fetchall()


@dataclass(frozen=True, slots=True, kw_only=True)
class LineLimits:
    """What an edited quantity must respect."""

    stock_point_id: int
    pack_size: float
    moq: float
    capacity: float


def line_limits(conn: Conn, order_id: int) -> dict[int, LineLimits]:
    with conn.cursor(row_factory=class_row(LineLimits)) as cur:
        rows = cur.execute(
            "SELECT l.stock_point_id, p.pack_size, p.moq, sp.capacity FROM order_lines l"
            " JOIN stock_points sp ON sp.id = l.stock_point_id"
            " JOIN products p ON p.id = sp.product_id WHERE l.order_id = %s",
            (order_id,),
        ).fetchall()
    return {r.stock_point_id: r for r in rows}


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
    status: OrderStatus,
    *,
    at: datetime,
    approved_by: str | None = None,
    rule_id: int | None = None,
    closed_reason: str | None = None,
) -> None:
    """Move the order to `status` (approval fields with `approved_by`; delivered_at set
    when delivered; `closed_reason` when rejected or cancelled)."""
    conn.execute(
        "UPDATE orders SET status = %(status)s, updated_at = %(at)s,"
        " approved_by = coalesce(%(by)s, approved_by),"
        " approved_rule_id = coalesce(%(rule)s, approved_rule_id),"
        " approved_at = CASE WHEN %(by)s::text IS NULL THEN approved_at ELSE %(at)s END,"
        " delivered_at = CASE WHEN %(status)s = 'delivered' THEN %(at)s END,"
        " closed_reason = coalesce(%(reason)s, closed_reason) WHERE id = %(id)s",
        {"status": status.value, "at": at, "by": approved_by, "rule": rule_id,
         "reason": closed_reason, "id": order_id},
    )  # fmt: skip


def set_visit(conn: Conn, order_id: int, visit_id: int | None) -> None:
    conn.execute("UPDATE orders SET visit_id = %s WHERE id = %s", (visit_id, order_id))


def set_deliver_at(conn: Conn, order_id: int, deliver_at: datetime) -> None:
    conn.execute("UPDATE orders SET deliver_at = %s WHERE id = %s", (deliver_at, order_id))


def max_lead_time_hours(conn: Conn, order_id: int) -> float:
    """The longest lead time among the order's products (0 with no line)."""
    row = conn.execute(
        "SELECT coalesce(max(p.lead_time_hours), 0) FROM order_lines l"
        " JOIN stock_points sp ON sp.id = l.stock_point_id"
        " JOIN products p ON p.id = sp.product_id WHERE l.order_id = %s",
        (order_id,),
    ).fetchone()
    return float(row[0]) if row else 0.0


def set_line_quantity(
    conn: Conn, order_id: int, stock_point_id: int, quantity: float, *, override: bool
) -> None:
    conn.execute(
        "UPDATE order_lines SET quantity = %s, override = %s"
        " WHERE order_id = %s AND stock_point_id = %s",
        (quantity, override, order_id, stock_point_id),
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


def hold(
    conn: Conn,
    *,
    stock_point_id: int,
    order_id: int,
    at: datetime,
    actor: str,
    reason: str,
    level: float,
    p_stockout: float,
) -> None:
    """Keep the planner's rejection of this stock point's line (replacing a standing one)."""
    conn.execute(
        "UPDATE order_holds SET released_at = %s, released_by = %s"
        " WHERE stock_point_id = %s AND released_at IS NULL",
        (at, f"superseded by order {order_id}", stock_point_id),
    )
    conn.execute(
        "INSERT INTO order_holds (stock_point_id, order_id, at, actor, reason, level,"
        " p_stockout) VALUES (%s, %s, %s, %s, %s, %s, %s)"
        " ON CONFLICT (stock_point_id, order_id) DO NOTHING",
        (stock_point_id, order_id, at, actor, reason, level, p_stockout),
    )


def recent_holds(conn: Conn, stock_point_ids: Sequence[int], *, since: datetime) -> list[Hold]:
    """Per stock point, its newest rejection made after `since` (standing or released)."""
    with conn.cursor(row_factory=class_row(Hold)) as cur:
        return cur.execute(
            "SELECT DISTINCT ON (stock_point_id) stock_point_id, order_id, at, actor, reason,"
            " level, p_stockout FROM order_holds WHERE stock_point_id = ANY(%s) AND at > %s"
            " ORDER BY stock_point_id, at DESC",
            (list(stock_point_ids), since),
        ).fetchall()


def reconcile_pending(
    conn: Conn, *, as_of: datetime, before_hours: float, after_hours: float
) -> list[Any]:
    """(order_id, stock_point_id, delivered quantity, delivered_at, median level in the
    hours before, median level in the hours after) of delivered, unjudged lines whose
    after-window has passed at `as_of`."""
    return conn.execute(
        """
        SELECT l.order_id, l.stock_point_id, l.delivered_quantity, d.delivered_at,
               (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY r.quantity) FROM readings r
                JOIN sensors s ON s.id = r.sensor_id WHERE s.stock_point_id = l.stock_point_id
                AND r.time >= d.delivered_at - %(before)s * interval '1 hour'
                AND r.time < d.delivered_at),
               (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY r.quantity) FROM readings r
                JOIN sensors s ON s.id = r.sensor_id WHERE s.stock_point_id = l.stock_point_id
                AND r.time > d.delivered_at
                AND r.time <= d.delivered_at + %(after)s * interval '1 hour')
        FROM order_lines l
        JOIN deliveries d ON d.order_ref = 'order:' || l.order_id
                         AND d.stock_point_id = l.stock_point_id
        WHERE l.delivered_quantity IS NOT NULL AND l.reconciled IS NULL
          AND d.delivered_at <= %(as_of)s - %(after)s * interval '1 hour'
        """,
        {"before": before_hours, "after": after_hours, "as_of": as_of},
    ).fetchall()


def set_reconciled(conn: Conn, order_id: int, stock_point_id: int, verdict: str) -> None:
    conn.execute(
        "UPDATE order_lines SET reconciled = %s WHERE order_id = %s AND stock_point_id = %s",
        (verdict, order_id, stock_point_id),
    )


def rules(conn: Conn, *, enabled_only: bool) -> list[Rule]:
    where = " WHERE enabled" if enabled_only else ""
    with conn.cursor(row_factory=class_row(Rule)) as cur:
        return cur.execute(
            f"SELECT {RULE_COLUMNS} FROM auto_approve_rules{where} ORDER BY id"
        ).fetchall()


def rule(conn: Conn, rule_id: int) -> Rule | None:
    with conn.cursor(row_factory=class_row(Rule)) as cur:
        return cur.execute(
            f"SELECT {RULE_COLUMNS} FROM auto_approve_rules WHERE id = %s", (rule_id,)
        ).fetchone()


def insert_rule(conn: Conn, values: dict[str, Any], *, actor: str) -> int:
    names = list(values)
    row = conn.execute(
        f"INSERT INTO auto_approve_rules ({', '.join(names)}, created_by)"
        f" VALUES ({', '.join(['%s'] * len(names))}, %s) RETURNING id",
        (*values.values(), actor),
    ).fetchone()
    assert row is not None
    return int(row[0])


def update_rule(conn: Conn, rule_id: int, values: dict[str, Any]) -> None:
    sets = ", ".join(f"{name} = %s" for name in values)
    conn.execute(f"UPDATE auto_approve_rules SET {sets} WHERE id = %s", (*values.values(), rule_id))


def delete_rule(conn: Conn, rule_id: int) -> bool:
    return conn.execute("DELETE FROM auto_approve_rules WHERE id = %s", (rule_id,)).rowcount > 0
