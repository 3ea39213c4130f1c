"""The planner's order queue, and orders/triggers/routes seen through a rep's scope.

Replenishment owns orders, triggers and routes (restock.replenish); this module adds
only the API's paginated queue query and the check that a rep asks about their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from restock.api.errors import NotFound
from restock.api.queries.rows import Conn, Row, all_rows
from restock.api.schemas.replenish import BulkFailure, BulkResult
from restock.replenish import approval, route_store, triggers_job
from restock.replenish.approval import Order
from restock.replenish.routes import RoutePlan
from restock.replenish.triggers_job import Trigger

QUEUE = """
SELECT o.id, o.customer_id, c.name AS customer_name, c.segment, c.rep_id, o.status, o.as_of,
       o.deliver_at, o.on_planned_visit, o.value::float8 AS value,
       (SELECT count(*) FROM order_lines l WHERE l.order_id = o.id) AS lines,
       o.approved_by, o.waiting_reasons
FROM orders o JOIN customers c ON c.id = o.customer_id
WHERE (%(status)s::text IS NULL OR o.status = %(status)s)
  AND (%(customer)s::text IS NULL OR o.customer_id = %(customer)s)
  AND (%(rep)s::text IS NULL OR c.rep_id = %(rep)s)
ORDER BY o.deliver_at, o.id
LIMIT %(limit)s OFFSET %(offset)s
"""


def order_queue(
    conn: Conn,
    *,
    status: str | None,
    customer: str | None,
    rep: str | None,
    limit: int,
    offset: int,
) -> list[Row]:
    """Orders by planned delivery, one row each (no lines): the planner's queue."""
    params = {
        "status": status, "customer": customer, "rep": rep, "limit": limit, "offset": offset,
    }  # fmt: skip
    return all_rows(conn, QUEUE, params)


def order_in_scope(conn: Conn, order_id: int, *, rep: str | None) -> Order:
    """The order; raises OrderNotFound, or NotFound when it is not `rep`'s customer's."""
    order = approval.get_order(conn, order_id)
    if rep is not None and order.rep_id != rep:
        raise NotFound(f"order {order_id} not found")
    return order


def triggers_in_scope(
    conn: Conn, *, rep: str | None, rep_filter: str | None, statuses: Sequence[str]
) -> list[Trigger]:
    """A rep's own triggers; staff see all, or one rep's with `rep_filter`."""
    return triggers_job.list_triggers(conn, rep_id=rep or rep_filter, statuses=statuses)


def trigger_in_scope(conn: Conn, trigger_id: int, *, rep: str | None) -> Trigger:
    trigger = triggers_job.get_trigger(conn, trigger_id)
    if rep is not None and trigger.rep_id != rep:
        raise NotFound(f"visit trigger {trigger_id} not found")
    return trigger


def acknowledge(
    conn: Conn, trigger_id: int, *, rep: str | None, actor: str, at: datetime
) -> Trigger:
    trigger_in_scope(conn, trigger_id, rep=rep)
    return triggers_job.acknowledge_trigger(conn, trigger_id, actor=actor, at=at)


def complete(conn: Conn, trigger_id: int, *, rep: str | None, actor: str, at: datetime) -> Trigger:
    trigger_in_scope(conn, trigger_id, rep=rep)
    return triggers_job.complete_trigger(conn, trigger_id, actor=actor, at=at)


def route_in_scope(conn: Conn, rep_id: str, day: date, *, rep: str | None) -> RoutePlan:
    """The stored route; NotFound for another rep's, RouteNotFound if none is planned."""
    if rep is not None and rep_id != rep:
        raise NotFound(f"no route for rep {rep_id!r} on {day.isoformat()}")
    return route_store.get_route(conn, rep_id, day)


def bulk_approve(conn: Conn, order_ids: Sequence[int], *, actor: str, at: datetime) -> BulkResult:
    """Approve each order; the response lists approved ids and failures with reasons."""
    result = approval.bulk_approve(conn, order_ids, actor=actor, at=at)
    return BulkResult(
        approved=list(result.approved),
        failed=[BulkFailure(order_id=i, error=e) for i, e in result.failed],
    )
