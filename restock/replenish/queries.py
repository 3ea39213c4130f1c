"""SQL every part of replenishment shares: the state a run decides on (stock points,
customers, sensor health, what is on order, standing rejections) and the audit trail.
One named function each; typed rows (psycopg `class_row`), never read by position."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from psycopg.rows import class_row
from psycopg.types.json import Jsonb

from restock.core.db import Conn
from restock.replenish.lifecycle import Entity, done
from restock.replenish.model import AuditEvent, Hold
from restock.replenish.visits.workdays import WorkWeek, work_week


@dataclass(frozen=True, slots=True, kw_only=True)
class PointSettings:
    """A stock point's settings with its product's and customer's."""

    id: int
    customer_id: str
    product_id: str
    capacity: float
    target_level: float | None
    service_level: float | None
    pack_size: float
    moq: float
    lead_time_hours: float
    unit_cost: float


def point_settings(conn: Conn, ids: Sequence[int] | None = None) -> list[PointSettings]:
    """Every stock point's settings (or those of `ids`), by id."""
    with conn.cursor(row_factory=class_row(PointSettings)) as cur:
        return cur.execute(
            """
            SELECT sp.id, sp.customer_id, sp.product_id, sp.capacity, sp.target_level,
                   sp.service_level, p.pack_size, p.moq, p.lead_time_hours,
                   p.unit_cost::float8 AS unit_cost
            FROM stock_points sp JOIN products p ON p.id = sp.product_id
            WHERE %(ids)s::bigint[] IS NULL OR sp.id = ANY(%(ids)s)
            ORDER BY sp.id
            """,
            {"ids": None if ids is None else list(ids)},
        ).fetchall()


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerRow:
    id: str
    segment: str
    rep_id: str | None
    work_days: list[int] | None
    work_start: time | None
    work_end: time | None
    time_zone: str
    service_minutes: int

    @property
    def work(self) -> WorkWeek:
        """The rep's working week (the defaults, in the customer's zone, without a rep)."""
        return work_week(self.work_days, self.work_start, self.work_end, self.time_zone)


def customers(conn: Conn, ids: Sequence[str] | None = None) -> list[CustomerRow]:
    """Every customer (or those of `ids`) with its segment, rep, and the rep's working
    week (the customer's time zone when it has no rep)."""
    with conn.cursor(row_factory=class_row(CustomerRow)) as cur:
        return cur.execute(
            """
            SELECT c.id, c.segment, c.rep_id, r.work_days::int[] AS work_days, r.work_start,
                   r.work_end, coalesce(r.time_zone, c.time_zone) AS time_zone,
                   c.service_minutes
            FROM customers c LEFT JOIN reps r ON r.id = c.rep_id
            WHERE %(ids)s::text[] IS NULL OR c.id = ANY(%(ids)s) ORDER BY c.id
            """,
            {"ids": None if ids is None else list(ids)},
        ).fetchall()


@dataclass(frozen=True, slots=True, kw_only=True)
class HealthRow:
    stock_point_id: int
    sensor_id: str
    status: str
    battery: float | None
    last_reading_at: datetime | None
    rejected: dict[str, int] | None


def sensor_health(conn: Conn, *, as_of: datetime, look_back_hours: float) -> list[HealthRow]:
    """Per stock point, its enabled sensor (the one read most recently) with its newest
    ACCEPTED reading, and the messages rejected since then (at most `look_back_hours`
    back), by reason."""
    with conn.cursor(row_factory=class_row(HealthRow)) as cur:
        return cur.execute(
            """
            SELECT DISTINCT ON (s.stock_point_id) s.stock_point_id, s.id AS sensor_id,
                   s.status, s.battery, s.last_reading_at,
                   (SELECT jsonb_object_agg(reason, n) FROM (
                        SELECT m.reason, count(*) AS n FROM rejected_messages m
                        WHERE m.sensor_id = s.id AND m.replayed_at IS NULL
                          AND m.received_at <= %(as_of)s
                          AND m.received_at > greatest(
                              s.last_reading_at, %(as_of)s - %(back)s * interval '1 hour')
                        GROUP BY m.reason) r) AS rejected
            FROM sensors s
            WHERE s.enabled AND s.stock_point_id IS NOT NULL
            ORDER BY s.stock_point_id, s.last_reading_at DESC NULLS LAST
            """,
            {"as_of": as_of, "back": look_back_hours},
        ).fetchall()


@dataclass(frozen=True, slots=True, kw_only=True)
class OnOrder:
    stock_point_id: int
    quantity: float
    arrival: datetime | None
    this_review: bool


def on_order(conn: Conn, *, as_of: datetime, seen_until: dict[int, datetime]) -> list[OnOrder]:
    """Per stock point, what is on its way: lines of approved and sent orders, and lines
    delivered after `seen_until[stock point]` (the newest reading its forecast saw, so
    not yet in its level: delivered, not yet seen); their latest arrival; and whether
    an order for it was made at this `as_of` already (a re-run must not order again)."""
    with conn.cursor(row_factory=class_row(OnOrder)) as cur:
        return cur.execute(
            """
            SELECT l.stock_point_id, sum(l.quantity) AS quantity,
                   max(coalesce(o.delivered_at, o.deliver_at)) AS arrival,
                   bool_or(o.as_of >= %(as_of)s) AS this_review
            FROM order_lines l
            JOIN orders o ON o.id = l.order_id
            LEFT JOIN unnest(%(ids)s::bigint[], %(seen)s::timestamptz[]) AS s(id, seen)
                   ON s.id = l.stock_point_id
            WHERE o.status IN ('approved', 'sent')
               OR (o.status = 'delivered' AND o.delivered_at > coalesce(s.seen, '-infinity'))
            GROUP BY l.stock_point_id
            """,
            {"as_of": as_of, "ids": list(seen_until), "seen": list(seen_until.values())},
        ).fetchall()


def active_holds(conn: Conn) -> list[Hold]:
    """The planner's standing rejections, one per stock point at most."""
    with conn.cursor(row_factory=class_row(Hold)) as cur:
        return cur.execute(
            "SELECT stock_point_id, order_id, at, actor, reason, level, p_stockout"
            " FROM order_holds WHERE released_at IS NULL ORDER BY stock_point_id"
        ).fetchall()


def release_hold(conn: Conn, stock_point_id: int, *, at: datetime, by: str) -> bool:
    """Release the stock point's standing rejection; True if there was one."""
    cur = conn.execute(
        "UPDATE order_holds SET released_at = %s, released_by = %s"
        " WHERE stock_point_id = %s AND released_at IS NULL",
        (at, by, stock_point_id),
    )
    return cur.rowcount > 0


def next_visits(conn: Conn, as_of: datetime) -> dict[str, datetime]:
    """Per customer, the soonest planned visit after `as_of`."""
    rows = conn.execute(
        "SELECT customer_id, min(planned_at) FROM planned_visits"
        " WHERE status = 'planned' AND planned_at > %s GROUP BY customer_id",
        (as_of,),
    ).fetchall()
    return {str(r[0]): r[1] for r in rows}


def record(
    conn: Conn,
    entity: Entity,
    entity_id: int,
    *,
    at: datetime,
    actor: str,
    action: str,
    from_status: str | None,
    to_status: str | None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Append one step to the audit trail (`action` as lifecycle names it, recorded in
    the past tense: "approve" → "approved")."""
    conn.execute(
        "INSERT INTO audit_events (entity, entity_id, at, actor, action, from_status,"
        " to_status, detail) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
        (entity.value, entity_id, at, actor, done(action), from_status, to_status,
         Jsonb(detail or {})),
    )  # fmt: skip


def audit_trail(conn: Conn, entity: Entity, entity_id: int) -> list[AuditEvent]:
    """The entity's audit trail, oldest first."""
    with conn.cursor(row_factory=class_row(AuditEvent)) as cur:
        return cur.execute(
            "SELECT at, actor, action, from_status, to_status, detail FROM audit_events"
            " WHERE entity = %s AND entity_id = %s ORDER BY id",
            (entity.value, entity_id),
        ).fetchall()
