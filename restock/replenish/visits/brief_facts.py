"""The facts a visit brief is built from, read from the database: the customer, its
products with their latest forecasts and consumption trend, open triggers, orders to
deliver, and the visit log's last next action. Raises CustomerNotFound."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from restock.core.db import Conn
from restock.forecast.consumption import CleaningConfig, to_consumption
from restock.forecast.errors import BadLevelsError
from restock.replenish.errors import CustomerNotFound
from restock.replenish.segments import ReplenishConfig
from restock.replenish.visits import visit_queries as q
from restock.replenish.visits.brief import (
    BriefFacts,
    DeliveryFacts,
    PastVisit,
    ProductFacts,
    TriggerFacts,
)
from restock.replenish.visits.visit_log import customer_history, last_next_action

RECENT_DAYS = 7
BASELINE_DAYS = 21


def consumption_trend(
    times: np.ndarray, levels: np.ndarray, *, end: datetime, time_zone: str
) -> tuple[float | None, float | None]:
    """(use per day over the last RECENT_DAYS, over the BASELINE_DAYS before) from a
    stock point's readings (epoch seconds, quantities), refills and gaps cleaned out as
    the forecast does; None where less than a third of the hours could be read."""
    hours = (RECENT_DAYS + BASELINE_DAYS) * 24
    try:
        c = to_consumption(
            times.astype(np.int64),
            levels.astype(np.float64),
            end=int(end.timestamp()),
            time_zone=time_zone,
            config=CleaningConfig(history_hours=hours),
        )
    except BadLevelsError:
        return None, None
    split = c.n - RECENT_DAYS * 24

    def daily(part: np.ndarray) -> float | None:
        known = part[~np.isnan(part)]
        return float(known.mean() * 24) if len(known) * 3 >= len(part) else None

    return daily(c.consumption[split:]), daily(c.consumption[:split])


def _end_of_day(when: datetime, zone: str) -> datetime:
    tz = ZoneInfo(zone)
    day = when.astimezone(tz).date()
    return datetime.combine(day + timedelta(days=1), time(0), tz)


def brief_facts(
    conn: Conn,
    customer_id: str,
    *,
    as_of: datetime,
    stop_purposes: Sequence[str] = (),
    why_today: Sequence[str] = (),
    config: ReplenishConfig | None = None,
) -> BriefFacts:
    """Everything build_brief needs about `customer_id` for a visit on `as_of`'s day."""
    cfg = config or ReplenishConfig()
    row = q.customer(conn, customer_id)
    if row is None:
        raise CustomerNotFound(customer_id, "any rep")
    _, name, segment, _, zone, _, _, _ = row
    cadence = conn.execute(
        "SELECT visit_cadence_days FROM customers WHERE id = %s", (customer_id,)
    ).fetchone()
    points = q.customer_products(conn, customer_id, as_of)
    series: dict[int, list[tuple[int, float]]] = defaultdict(list)
    since = as_of - timedelta(days=RECENT_DAYS + BASELINE_DAYS)
    for sp, t, v in q.recent_levels(conn, [int(p[0]) for p in points], since, as_of):
        series[int(sp)].append((int(t), float(v)))
    products = []
    for p in points:
        readings = np.array(series.get(int(p[0]), []), dtype=np.float64).reshape(-1, 2)
        recent, baseline = consumption_trend(
            readings[:, 0], readings[:, 1], end=as_of, time_zone=zone
        )
        products.append(
            ProductFacts(
                stock_point_id=int(p[0]),
                product=p[2],
                unit=p[3],
                pack_size=float(p[4]),
                capacity=float(p[5]),
                level=p[7],
                rate_per_hour=p[8],
                stockout_p10=p[9],
                stockout_p50=p[10],
                stockout_p90=p[11],
                recent_per_day=recent,
                baseline_per_day=baseline,
                sensor_status=p[13],
                battery=p[14],
                last_reading_at=p[15],
            )
        )
    triggers = tuple(
        TriggerFacts(
            id=int(t[0]),
            purpose=t[1],
            due_by=t[2],
            detail=dict(t[4]),
            stock_point_id=t[5],
            order_id=t[6],
        )
        for t in q.open_triggers(conn, customer_id)
    )
    deliveries = tuple(
        DeliveryFacts(
            order_id=int(d[0]),
            product=d[3],
            unit=d[4],
            pack_size=float(d[5]),
            quantity=float(d[6]),
            deliver_at=d[2],
        )
        for d in q.orders_to_deliver(conn, [customer_id], _end_of_day(as_of, zone))
    )
    last = last_next_action(customer_history(conn, customer_id, limit=20))
    return BriefFacts(
        customer_id=customer_id,
        customer_name=name,
        segment=segment,
        time_zone=zone,
        as_of=as_of,
        why_today=tuple(why_today),
        stop_purposes=tuple(stop_purposes),
        cadence_days=cfg.cadence_days(segment, cadence[0] if cadence else None),
        products=tuple(products),
        triggers=triggers,
        deliveries=deliveries,
        last_next_action=None
        if last is None
        else PastVisit(
            at=last.checked_in_at,
            rep_id=last.rep_id,
            outcome=last.outcome_label,
            notes=last.notes,
            next_action=last.next_action,
            next_action_due=last.next_action_due,
        ),
    )
