"""What a replenishment decision is made on, read from the database: each stock point's
settings and newest forecast (the forecast package's typed contract), what is on its
way, its sensor's health, and its customer with the rep's working week."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from restock.core.db import Conn
from restock.forecast.queries import latest_forecasts
from restock.replenish import queries
from restock.replenish.model import CustomerState, Hold, PointState, SensorHealth


@dataclass(slots=True)
class State:
    """points: the stock points with a recent forecast; fresh: those an order was not
    already made for at this `as_of` (a re-run must not order again), by customer."""

    points: dict[int, PointState] = field(default_factory=dict)
    customers: dict[str, CustomerState] = field(default_factory=dict)
    fresh: dict[str, list[PointState]] = field(default_factory=lambda: defaultdict(list))
    health: dict[int, SensorHealth] = field(default_factory=dict)
    holds: dict[int, Hold] = field(default_factory=dict)
    service_minutes: dict[str, int] = field(default_factory=dict)


def load(
    conn: Conn,
    *,
    as_of: datetime,
    max_forecast_age_hours: float,
    health_look_back_hours: float,
    stock_point_ids: Sequence[int] | None = None,
) -> State:
    """The state at `as_of` of every stock point (or those of `stock_point_ids`) whose
    newest forecast is at most `max_forecast_age_hours` old."""
    forecasts = {
        f.stock_point_id: f
        for f in latest_forecasts(
            conn, as_of, max_age_hours=max_forecast_age_hours, stock_point_ids=stock_point_ids
        )
    }
    settings = queries.point_settings(conn, list(forecasts))
    seen = {sp: f.history_end for sp, f in forecasts.items()}
    pending = {o.stock_point_id: o for o in queries.on_order(conn, as_of=as_of, seen_until=seen)}
    visits = queries.next_visits(conn, as_of)
    rows = {c.id: c for c in queries.customers(conn, sorted({s.customer_id for s in settings}))}
    out = State()
    for c in rows.values():
        out.customers[c.id] = CustomerState(
            customer_id=c.id,
            segment=c.segment,
            rep_id=c.rep_id,
            next_visit=visits.get(c.id),
            work=c.work,
        )
        out.service_minutes[c.id] = c.service_minutes
    for s in settings:
        f = forecasts[s.id]
        on = pending.get(s.id)
        point = PointState(
            stock_point_id=s.id,
            customer_id=s.customer_id,
            product_id=s.product_id,
            capacity=s.capacity,
            target_level=s.target_level,
            service_level=s.service_level,
            pack_size=s.pack_size,
            moq=s.moq,
            lead_time_hours=s.lead_time_hours,
            unit_cost=s.unit_cost,
            level=f.level,
            rate_per_hour=f.rate_per_hour,
            stockout_p10=f.stockout_p10,
            stockout_p50=f.stockout_p50,
            stockout_p90=f.stockout_p90,
            forecast_as_of=f.as_of,
            curve=f,
            on_order=on.quantity if on else 0.0,
            on_order_arrival=on.arrival if on else None,
        )
        out.points[s.id] = point
        if on is None or not on.this_review:
            out.fresh[s.customer_id].append(point)
    for h in queries.sensor_health(conn, as_of=as_of, look_back_hours=health_look_back_hours):
        out.health[h.stock_point_id] = SensorHealth(
            sensor_id=h.sensor_id,
            status=h.status,
            battery=h.battery,
            last_reading_at=h.last_reading_at,
            rejected_recent=dict(h.rejected or {}),
        )
    out.holds = {h.stock_point_id: h for h in queries.active_holds(conn)}
    return out
