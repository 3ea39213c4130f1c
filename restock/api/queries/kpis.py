"""KPIs over a period, per rep, per segment or overall: the figures the seeds review
every quarter. Each statement yields (group, figures...) rows; `kpis` merges them.

- visits: done planned visits plus completed visit triggers (one per customer and day);
- orders, order value: orders approved in the period; per visit: divided by visits;
- stockouts, stockout hours: hours a stock point read empty, and how many runs of them;
- fill rate: delivered over ordered quantity, orders delivered in the period;
- auto-approval rate: share of the period's approvals made by a rule;
- repeat rate: share of ordering customers who ordered more than once;
- churn-risk customers: customers with an unresolved consumption-drop trigger;
- forecast error: |predicted - actual| consumption over the 24 h after each forecast,
  summed over summed actual (weighted MAPE), where no delivery fell in the window.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from psycopg import sql

from restock.api.errors import Invalid
from restock.api.queries.rows import Conn, all_rows

GroupBy = Literal["rep", "segment", "all"]
_GROUP = {"rep": "coalesce(c.rep_id, '-')", "segment": "c.segment::text", "all": "'all'"}

VISITS = """
SELECT {g} AS grp, count(*) AS visits FROM (
    SELECT customer_id, day FROM planned_visits
    WHERE status = 'done' AND done_at >= %(start)s AND done_at < %(end)s
    UNION
    SELECT customer_id, date(completed_at) FROM visit_triggers
    WHERE status = 'completed' AND completed_at >= %(start)s AND completed_at < %(end)s
) v JOIN customers c ON c.id = v.customer_id
WHERE %(rep)s::text IS NULL OR c.rep_id = %(rep)s
GROUP BY 1
"""
ORDERS = """
SELECT {g} AS grp, count(*) AS orders, coalesce(sum(o.value), 0)::float8 AS order_value,
       count(*) FILTER (WHERE o.approved_by LIKE 'rule:%%') AS auto_approved,
       count(DISTINCT o.customer_id) AS ordering_customers
FROM orders o JOIN customers c ON c.id = o.customer_id
WHERE o.approved_at >= %(start)s AND o.approved_at < %(end)s
  AND (%(rep)s::text IS NULL OR c.rep_id = %(rep)s)
GROUP BY 1
"""
REPEAT = """
SELECT {g} AS grp, count(*) AS repeat_customers FROM (
    SELECT o.customer_id FROM orders o
    WHERE o.approved_at >= %(start)s AND o.approved_at < %(end)s
    GROUP BY 1 HAVING count(*) > 1
) r JOIN customers c ON c.id = r.customer_id
WHERE %(rep)s::text IS NULL OR c.rep_id = %(rep)s
GROUP BY 1
"""
FILL = """
SELECT {g} AS grp, sum(l.delivered_quantity) AS delivered, sum(l.quantity) AS ordered
FROM order_lines l JOIN orders o ON o.id = l.order_id JOIN customers c ON c.id = o.customer_id
WHERE o.status = 'delivered' AND l.delivered_quantity IS NOT NULL
  AND o.delivered_at >= %(start)s AND o.delivered_at < %(end)s
  AND (%(rep)s::text IS NULL OR c.rep_id = %(rep)s)
GROUP BY 1
"""
STOCKOUTS = """
WITH hours AS (
    SELECT s.stock_point_id, date_trunc('hour', r.time) AS hour, min(r.quantity) <= 0 AS empty
    FROM readings r JOIN sensors s ON s.id = r.sensor_id
    WHERE r.time >= %(start)s AND r.time < %(end)s AND s.stock_point_id IS NOT NULL
    GROUP BY 1, 2
), runs AS (
    SELECT stock_point_id, empty,
           empty AND NOT coalesce(lag(empty) OVER (PARTITION BY stock_point_id ORDER BY hour),
                                  false) AS starts
    FROM hours
)
SELECT {g} AS grp, count(*) FILTER (WHERE runs.starts) AS stockouts,
       count(*) FILTER (WHERE runs.empty) AS stockout_hours
FROM runs JOIN stock_points sp ON sp.id = runs.stock_point_id
JOIN customers c ON c.id = sp.customer_id
WHERE %(rep)s::text IS NULL OR c.rep_id = %(rep)s
GROUP BY 1
"""
CHURN = """
SELECT {g} AS grp, count(DISTINCT t.customer_id) AS churn_risk_customers
FROM visit_triggers t JOIN customers c ON c.id = t.customer_id
WHERE t.purpose = 'consumption_drop' AND t.status IN ('open', 'acknowledged')
  AND t.created_at < %(end)s AND (%(rep)s::text IS NULL OR c.rep_id = %(rep)s)
GROUP BY 1
"""
FORECAST_ERROR = """
WITH pairs AS (
    SELECT f.stock_point_id, f.rate_per_hour * 24 AS predicted,
           f.level - (SELECT r.quantity FROM readings r JOIN sensors s ON s.id = r.sensor_id
                      WHERE s.stock_point_id = f.stock_point_id
                        AND r.time >= f.as_of + interval '24 hours'
                        AND r.time < f.as_of + interval '26 hours'
                      ORDER BY r.time LIMIT 1) AS actual
    FROM forecasts f
    WHERE f.as_of >= %(start)s AND f.as_of < %(end)s
      AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.stock_point_id = f.stock_point_id
                      AND d.delivered_at >= f.as_of
                      AND d.delivered_at < f.as_of + interval '26 hours')
)
SELECT {g} AS grp, sum(abs(p.predicted - p.actual)) AS abs_error, sum(p.actual) AS actual
FROM pairs p JOIN stock_points sp ON sp.id = p.stock_point_id
JOIN customers c ON c.id = sp.customer_id
WHERE p.actual IS NOT NULL AND p.actual >= 0 AND (%(rep)s::text IS NULL OR c.rep_id = %(rep)s)
GROUP BY 1
"""


def _ratio(num: float | None, den: float | None) -> float | None:
    return None if not den or num is None else float(num) / float(den)


async def kpis(
    conn: Conn, *, start: datetime, end: datetime, group_by: GroupBy, rep: str | None
) -> list[dict[str, Any]]:
    """One row of figures per group over [start, end). Raises Invalid for an empty range."""
    if end <= start:
        raise Invalid(f"start {start.isoformat()} must be before end {end.isoformat()}")
    group = sql.SQL(_GROUP[group_by])  # type: ignore[arg-type]
    params = {"start": start, "end": end, "rep": rep}
    out: dict[str, dict[str, Any]] = {}
    for statement in (VISITS, ORDERS, REPEAT, FILL, STOCKOUTS, CHURN, FORECAST_ERROR):
        query = sql.SQL(statement).format(g=group)  # type: ignore[arg-type]
        for row in await all_rows(conn, query, params):
            out.setdefault(str(row.pop("grp")), {}).update(row)
    rows = []
    for name in sorted(out):
        f = out[name]
        visits = int(f.get("visits", 0))
        orders = int(f.get("orders", 0))
        rows.append(
            {
                "group": name,
                "visits": visits,
                "orders": orders,
                "orders_per_visit": _ratio(orders, visits),
                "order_value": float(f.get("order_value", 0.0)),
                "order_value_per_visit": _ratio(f.get("order_value", 0.0), visits),
                "stockouts": int(f.get("stockouts", 0)),
                "stockout_hours": int(f.get("stockout_hours", 0)),
                "fill_rate": _ratio(f.get("delivered"), f.get("ordered")),
                "auto_approval_rate": _ratio(f.get("auto_approved", 0), orders),
                "repeat_rate": _ratio(f.get("repeat_customers", 0), f.get("ordering_customers")),
                "churn_risk_customers": int(f.get("churn_risk_customers", 0)),
                "forecast_error": _ratio(f.get("abs_error"), f.get("actual")),
            }
        )
    return rows
