"""SQL for visit triggers: one named function each."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from psycopg.types.json import Jsonb

from restock.replenish.orders.queries import Conn
from restock.replenish.triggers.detect import Candidate

TRIGGER_COLUMNS = (
    "id, cause, rep_id, customer_id, stock_point_id, order_id, purpose, due_by, priority,"
    " detail, status, created_at, sent_at, acknowledged_at, acknowledged_by, completed_at"
)


def baseline_rates(conn: Conn, as_of: datetime, ids: Sequence[int]) -> dict[int, float]:
    """Mean forecast consumption rate from 5 weeks to 1 week before `as_of`."""
    rows = conn.execute(
        "SELECT stock_point_id, avg(rate_per_hour) FROM forecasts WHERE stock_point_id = ANY(%s)"
        " AND as_of BETWEEN %s AND %s GROUP BY stock_point_id HAVING count(*) >= 7",
        (list(ids), as_of - timedelta(days=35), as_of - timedelta(days=7)),
    ).fetchall()
    return {int(r[0]): float(r[1]) for r in rows}


def previous_levels(conn: Conn, as_of: datetime, ids: Sequence[int]) -> dict[int, Any]:
    """Per stock point, (as_of, level) of the newest forecast before `as_of`."""
    rows = conn.execute(
        "SELECT DISTINCT ON (stock_point_id) stock_point_id, as_of, level FROM forecasts"
        " WHERE stock_point_id = ANY(%s) AND as_of < %s AND as_of >= %s"
        " ORDER BY stock_point_id, as_of DESC",
        (list(ids), as_of, as_of - timedelta(days=2)),
    ).fetchall()
    return {int(r[0]): (r[1], float(r[2])) for r in rows}


def delivered_between(conn: Conn, since: datetime, until: datetime) -> set[int]:
    """Stock points with a delivery (or an order due) in [since, until]."""
    rows = conn.execute(
        "SELECT stock_point_id FROM deliveries WHERE delivered_at BETWEEN %s AND %s"
        " UNION SELECT l.stock_point_id FROM order_lines l JOIN orders o ON o.id = l.order_id"
        " WHERE o.status IN ('approved', 'sent', 'delivered') AND o.deliver_at BETWEEN %s AND %s",
        (since, until, since, until),
    ).fetchall()
    return {int(r[0]) for r in rows}


def approved_orders(conn: Conn) -> list[Any]:
    """(id, customer_id, deliver_at, value) of orders approved or sent, not delivered."""
    return conn.execute(
        "SELECT id, customer_id, deliver_at, value::float8 FROM orders"
        " WHERE status IN ('approved', 'sent') ORDER BY id"
    ).fetchall()


def insert_trigger(conn: Conn, c: Candidate, *, at: datetime) -> bool:
    """Insert unless the cause exists, or an unresolved trigger with the same purpose
    and subject (stock point / order) is still open. True if inserted."""
    row = conn.execute(
        """
        INSERT INTO visit_triggers (cause, rep_id, customer_id, stock_point_id, order_id,
                                    purpose, due_by, priority, detail, created_at)
        SELECT %(cause)s, %(rep)s, %(cust)s, %(sp)s, %(order)s, %(purpose)s, %(due)s,
               %(prio)s, %(detail)s, %(at)s
        WHERE NOT EXISTS (
            SELECT 1 FROM visit_triggers t WHERE t.purpose = %(purpose)s
              AND t.status IN ('open', 'acknowledged')
              AND t.stock_point_id IS NOT DISTINCT FROM %(sp)s
              AND t.order_id IS NOT DISTINCT FROM %(order)s
              AND t.customer_id = %(cust)s)
        ON CONFLICT (cause) DO NOTHING RETURNING id
        """,
        {
            "cause": c.cause,
            "rep": c.rep_id,
            "cust": c.customer_id,
            "sp": c.stock_point_id,
            "order": c.order_id,
            "purpose": c.purpose,
            "due": c.due_by,
            "prio": c.priority,
            "detail": Jsonb(c.detail),
            "at": at,
        },
    ).fetchone()
    return row is not None


def trigger_row(conn: Conn, trigger_id: int, *, lock: bool = False) -> Any:
    return conn.execute(
        f"SELECT {TRIGGER_COLUMNS} FROM visit_triggers WHERE id = %s"
        + (" FOR UPDATE" if lock else ""),
        (trigger_id,),
    ).fetchone()


def list_trigger_rows(conn: Conn, *, rep_id: str | None, statuses: Sequence[str]) -> list[Any]:
    return conn.execute(
        f"SELECT {TRIGGER_COLUMNS} FROM visit_triggers WHERE status = ANY(%s)"
        " AND (%s::text IS NULL OR rep_id = %s) ORDER BY priority DESC, due_by, id",
        (list(statuses), rep_id, rep_id),
    ).fetchall()


def set_trigger_status(
    conn: Conn, trigger_id: int, status: str, *, at: datetime, actor: str
) -> None:
    column = {"acknowledged": "acknowledged_at", "completed": "completed_at"}.get(status)
    extra = f", {column} = %(at)s" if column else ""
    if status == "acknowledged":
        extra += ", acknowledged_by = %(actor)s"
    conn.execute(
        f"UPDATE visit_triggers SET status = %(status)s{extra} WHERE id = %(id)s",
        {"status": status, "at": at, "actor": actor, "id": trigger_id},
    )


def unsent_triggers(conn: Conn, limit: int) -> list[Any]:
    """Open triggers not yet published, oldest first, locked (skip those locked by
    another dispatcher)."""
    return conn.execute(
        f"SELECT {TRIGGER_COLUMNS} FROM visit_triggers WHERE sent_at IS NULL"
        " AND status = 'open' ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED",
        (limit,),
    ).fetchall()


def mark_sent(conn: Conn, trigger_id: int, at: datetime) -> None:
    conn.execute("UPDATE visit_triggers SET sent_at = %s WHERE id = %s", (at, trigger_id))


def unwebhooked_triggers(conn: Conn, max_attempts: int, limit: int) -> list[Any]:
    return conn.execute(
        f"SELECT {TRIGGER_COLUMNS} FROM visit_triggers WHERE webhook_at IS NULL"
        " AND webhook_attempts < %s AND status = 'open' ORDER BY id LIMIT %s"
        " FOR UPDATE SKIP LOCKED",
        (max_attempts, limit),
    ).fetchall()


def record_webhook(conn: Conn, trigger_id: int, *, ok: bool, at: datetime) -> None:
    conn.execute(
        "UPDATE visit_triggers SET webhook_attempts = webhook_attempts + 1,"
        " webhook_at = CASE WHEN %s THEN %s ELSE webhook_at END WHERE id = %s",
        (ok, at, trigger_id),
    )
