"""The planner's order queue, and an order seen through a rep's scope.

Replenishment owns orders (restock.replenish); this module adds only the API's
paginated queue query and the check that a rep asks about their own customer's order.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from restock.api.errors import NotFound
from restock.api.queries.rows import Conn, Row, all_rows
from restock.api.schemas.replenish import BulkFailure, BulkResult
from restock.replenish import approval
from restock.replenish.approval import Order

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


def bulk_approve(conn: Conn, order_ids: Sequence[int], *, actor: str, at: datetime) -> BulkResult:
    """Approve each order; the response lists approved ids and failures with reasons."""
    result = approval.bulk_approve(conn, order_ids, actor=actor, at=at)
    return BulkResult(
        approved=list(result.approved),
        failed=[BulkFailure(order_id=i, error=e) for i, e in result.failed],
    )
