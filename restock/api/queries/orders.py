"""The planner's order queue: the API's paginated view of replenishment's orders, one
row per order (no lines)."""

from __future__ import annotations

from restock.api.queries.rows import Conn, Row, all_rows
from restock.api.schemas.times import in_zone

# The WHERE clause holds only the filters given (not `%(x)s IS NULL OR ...`): each
# combination is its own prepared statement with a plan that uses the indexes.
QUEUE = """
SELECT o.id, o.customer_id, c.name AS customer_name, c.segment, c.rep_id, o.status, o.as_of,
       o.deliver_at, o.on_planned_visit, o.value::float8 AS value,
       (SELECT count(*) FROM order_lines l WHERE l.order_id = o.id) AS lines,
       o.approved_by, o.waiting_reasons, c.time_zone
FROM orders o JOIN customers c ON c.id = o.customer_id
WHERE {where}
ORDER BY o.deliver_at, o.id
LIMIT %(limit)s OFFSET %(offset)s
"""
FILTERS = {
    "status": "o.status = %(status)s",
    "customer": "o.customer_id = %(customer)s",
    "rep": "c.rep_id = %(rep)s",
}


def queue_query(**filters: str | None) -> str:
    """QUEUE restricted by the `filters` that are not None."""
    clauses = [FILTERS[name] for name, value in filters.items() if value is not None]
    return QUEUE.format(where=" AND ".join(clauses) or "true")


async def order_queue(
    conn: Conn,
    *,
    status: str | None,
    customer: str | None,
    rep: str | None,
    limit: int,
    offset: int,
) -> list[Row]:
    """Orders by planned delivery, in the shape of schemas.replenish.OrderSummary: the
    planned delivery in the customer's time zone."""
    query = queue_query(status=status, customer=customer, rep=rep)
    params = {
        "status": status, "customer": customer, "rep": rep, "limit": limit, "offset": offset,
    }  # fmt: skip
    rows = await all_rows(conn, query, params, binary=True)
    for row in rows:
        row["deliver_at"] = in_zone(row["deliver_at"], row["time_zone"])
    return rows
