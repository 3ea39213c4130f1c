"""SQL for visit triggers: one named function each."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from psycopg.rows import class_row
from psycopg.types.json import Jsonb

from restock.core.db import Conn
from restock.replenish.lifecycle import TriggerStatus
from restock.replenish.model import Trigger
from restock.replenish.triggers.detect import Candidate

TRIGGER_COLUMNS = (
    "id, cause, rep_id, customer_id, stock_point_id, order_id, purpose, due_by, priority,"
    " detail, status, created_at, sent_at, acknowledged_at, acknowledged_by, completed_at,"
    " cancelled_at, cancel_reason"
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


def insert_trigger(conn: Conn, c: Candidate, *, at: datetime) -> int | None:
    """Insert unless the cause exists, or an unresolved trigger with the same purpose
    and subject (stock point / order) is still open; the new id, else None."""
    row = conn.execute(
        """
        INSERT INTO visit_triggers (cause, rep_id, customer_id, stock_point_id, order_id,
                                    purpose, due_by, priority, detail, created_at)
        VALUES (%(cause)s, %(rep)s, %(cust)s, %(sp)s, %(order)s, %(purpose)s, %(due)s,
                %(prio)s, %(detail)s, %(at)s)
        ON CONFLICT DO NOTHING RETURNING id
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
    return None if row is None else int(row[0])


def trigger(conn: Conn, trigger_id: int, *, lock: bool = False) -> Trigger | None:
    with conn.cursor(row_factory=class_row(Trigger)) as cur:
        return cur.execute(
            f"SELECT {TRIGGER_COLUMNS} FROM visit_triggers WHERE id = %s"
            + (" FOR UPDATE" if lock else ""),
            (trigger_id,),
        ).fetchone()


def list_triggers(conn: Conn, *, rep_id: str | None, statuses: Sequence[str]) -> list[Trigger]:
    with conn.cursor(row_factory=class_row(Trigger)) as cur:
        return cur.execute(
            f"SELECT {TRIGGER_COLUMNS} FROM visit_triggers WHERE status = ANY(%s)"
            " AND (%s::text IS NULL OR rep_id = %s) ORDER BY priority DESC, due_by, id",
            (list(statuses), rep_id, rep_id),
        ).fetchall()


def unresolved_of_order(conn: Conn, order_id: int) -> list[Trigger]:
    """The order's open and acknowledged triggers, locked for update."""
    with conn.cursor(row_factory=class_row(Trigger)) as cur:
        return cur.execute(
            f"SELECT {TRIGGER_COLUMNS} FROM visit_triggers WHERE order_id = %s"
            " AND status IN ('open', 'acknowledged') ORDER BY id FOR UPDATE",
            (order_id,),
        ).fetchall()


def covered_by_orders(conn: Conn) -> list[tuple[Trigger, int]]:
    """Unresolved stockout-risk triggers of stock points an order is now on its way
    to, with that order's id; locked for update."""
    with conn.cursor(row_factory=class_row(Trigger)) as cur:
        found = cur.execute(
            f"SELECT {TRIGGER_COLUMNS} FROM visit_triggers t WHERE t.purpose = 'stockout_risk'"
            " AND t.status IN ('open', 'acknowledged') AND EXISTS (SELECT 1 FROM order_lines l"
            " JOIN orders o ON o.id = l.order_id WHERE l.stock_point_id = t.stock_point_id"
            " AND o.status IN ('approved', 'sent') AND l.quantity > 0) ORDER BY t.id FOR UPDATE",
        ).fetchall()
    out = []
    for t in found:
        row = conn.execute(
            "SELECT min(o.id) FROM order_lines l JOIN orders o ON o.id = l.order_id"
            " WHERE l.stock_point_id = %s AND o.status IN ('approved', 'sent')",
            (t.stock_point_id,),
        ).fetchone()
        out.append((t, int(row[0]) if row and row[0] is not None else 0))
    return out


def set_trigger_status(
    conn: Conn,
    trigger_id: int,
    status: TriggerStatus,
    *,
    at: datetime,
    actor: str,
    reason: str | None = None,
) -> None:
    """Move the trigger to `status`, stamping when (and, acknowledged, by whom; cancelled,
    why)."""
    conn.execute(
        """
        UPDATE visit_triggers SET status = %(status)s,
            acknowledged_at = CASE WHEN %(status)s = 'acknowledged' THEN %(at)s
                                   ELSE acknowledged_at END,
            acknowledged_by = CASE WHEN %(status)s = 'acknowledged' THEN %(actor)s
                                   ELSE acknowledged_by END,
            completed_at = CASE WHEN %(status)s = 'completed' THEN %(at)s ELSE completed_at END,
            cancelled_at = CASE WHEN %(status)s = 'cancelled' THEN %(at)s ELSE cancelled_at END,
            cancel_reason = CASE WHEN %(status)s = 'cancelled' THEN %(reason)s
                                 ELSE cancel_reason END
        WHERE id = %(id)s
        """,
        {"status": status.value, "at": at, "actor": actor, "reason": reason, "id": trigger_id},
    )


def unsent(conn: Conn, limit: int) -> list[Trigger]:
    """Triggers the rep has not been told of: open ones not yet published, and
    cancellations of published ones not yet published; oldest first, locked (skipping
    those another dispatcher holds)."""
    with conn.cursor(row_factory=class_row(Trigger)) as cur:
        return cur.execute(
            f"SELECT {TRIGGER_COLUMNS} FROM visit_triggers"
            " WHERE (status = 'open' AND sent_at IS NULL)"
            "    OR (status = 'cancelled' AND sent_at IS NOT NULL AND cancel_sent_at IS NULL)"
            " ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED",
            (limit,),
        ).fetchall()


def mark_sent(conn: Conn, t: Trigger, at: datetime) -> None:
    """The trigger (or its cancellation) was published."""
    column = "cancel_sent_at" if t.status == TriggerStatus.cancelled else "sent_at"
    conn.execute(f"UPDATE visit_triggers SET {column} = %s WHERE id = %s", (at, t.id))


def unwebhooked(conn: Conn, max_attempts: int, limit: int) -> list[Trigger]:
    """Triggers (and cancellations of triggers the webhook took) not yet accepted by
    the webhook, within `max_attempts`; locked, skipping those another run holds."""
    with conn.cursor(row_factory=class_row(Trigger)) as cur:
        return cur.execute(
            f"SELECT {TRIGGER_COLUMNS} FROM visit_triggers WHERE webhook_attempts < %s AND"
            " ((status = 'open' AND webhook_at IS NULL)"
            "  OR (status = 'cancelled' AND webhook_at IS NOT NULL"
            "      AND cancel_webhook_at IS NULL))"
            " ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED",
            (max_attempts, limit),
        ).fetchall()


def record_webhook(conn: Conn, t: Trigger, *, ok: bool, at: datetime) -> None:
    """One webhook attempt for the trigger (or its cancellation); a cancellation
    accepted resets the attempts it counted."""
    if t.status == TriggerStatus.cancelled:
        conn.execute(
            "UPDATE visit_triggers SET cancel_webhook_at = CASE WHEN %s THEN %s END WHERE id = %s",
            (ok, at, t.id),
        )
        return
    conn.execute(
        "UPDATE visit_triggers SET webhook_attempts = webhook_attempts + 1,"
        " webhook_at = CASE WHEN %s THEN %s ELSE webhook_at END WHERE id = %s",
        (ok, at, t.id),
    )
