"""Per stock point: is a reorder due, and how much to order for a given delivery time.

Pure: a function of the forecast, the stock point's settings and `as_of`. The forecast
is anything with `p_stockout_before(when)` (forecast.SeriesForecast for in-process
use, forecast.stored.StoredForecast for rows read back from the `forecasts` table);
see model.PointState.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from restock.replenish.model import PointState
from restock.replenish.rounding import Rounded, round_quantity


@dataclass(frozen=True, slots=True, kw_only=True)
class Quantity:
    """How much to deliver at `deliver_at`, with the figures behind it."""

    deliver_at: datetime
    expected_at_delivery: float
    target: float
    rounded: Rounded

    @property
    def quantity(self) -> float:
        return self.rounded.quantity


def protect_until(point: PointState, as_of: datetime, review_hours: float) -> datetime:
    """The next possible delivery if nothing is ordered now: an order placed at the next
    review arrives one lead time after it."""
    return as_of + timedelta(hours=review_hours + point.lead_time_hours)


def p_stockout(point: PointState, when: datetime, *, ordering_at: datetime | None = None) -> float:
    """P(stockout before `when`), counting what is on order: after it arrives, the
    quantity on order pushes the stockout back by on_order / rate hours. (An order due
    after `when` does not help; without a rate, nothing shifts.)

    With `ordering_at`, only the risk an order placed then can still address: when the
    order on its way arrives no later than the new one could, running out before it
    arrives is past helping, and only the risk of the stock plus what is on order (the
    inventory position) running out before `when` counts. Otherwise a line whose
    delivery is a day away would be ordered again at every review until it lands.
    """
    curve = point.curve
    arrival = point.on_order_arrival
    if point.on_order <= 0 or point.rate_per_hour <= 0 or arrival is None or when <= arrival:
        return curve.p_stockout_before(when)
    pushed_h = point.on_order / point.rate_per_hour  # may be huge for a slow product
    if ordering_at is not None and arrival <= point.earliest_delivery(ordering_at):
        if pushed_h >= (when - ordering_at).total_seconds() / 3600.0:
            return 0.0
        return curve.p_stockout_before(when - timedelta(hours=pushed_h))
    after_h = (when - arrival).total_seconds() / 3600.0
    shifted = arrival if pushed_h >= after_h else when - timedelta(hours=pushed_h)
    return max(curve.p_stockout_before(arrival), curve.p_stockout_before(shifted))


def reorder_due(point: PointState, *, as_of: datetime, risk: float, review_hours: float) -> bool:
    """True when P(stockout before the next possible delivery), counting what is already
    on order, exceeds `risk`: with long lead times and little capacity, orders overlap."""
    until = protect_until(point, as_of, review_hours)
    return p_stockout(point, until, ordering_at=as_of) > risk


def order_quantity(point: PointState, *, as_of: datetime, deliver_at: datetime) -> Quantity:
    """Order up to the target for a delivery at `deliver_at`: the expected level then
    (level − rate × hours, not below 0) is topped up, rounded to packs, at least the
    MOQ, never above the capacity free at delivery."""
    hours = max((deliver_at - as_of).total_seconds() / 3600.0, 0.0)
    expected = max(point.level - point.rate_per_hour * hours, 0.0) + point.on_order
    target = point.target
    rounded = round_quantity(
        needed=target - expected,
        pack_size=point.pack_size,
        moq=point.moq,
        room=point.capacity - expected,
    )
    return Quantity(
        deliver_at=deliver_at, expected_at_delivery=expected, target=target, rounded=rounded
    )


def _iso(when: datetime | None) -> str | None:
    return None if when is None else when.isoformat()


def reasoning(
    point: PointState,
    qty: Quantity,
    *,
    as_of: datetime,
    risk: float,
    reason: str,
    next_visit: datetime | None,
    review_hours: float,
) -> dict[str, Any]:
    """What a planner needs to judge a line in seconds (stored as order_lines.reasoning)."""
    until = protect_until(point, as_of, review_hours)
    return {
        "reason": reason,
        "as_of": as_of.isoformat(),
        "level": round(point.level, 3),
        "rate_per_hour": round(point.rate_per_hour, 4),
        "stockout_p10": _iso(point.stockout_p10),
        "stockout_p50": _iso(point.stockout_p50),
        "stockout_p90": _iso(point.stockout_p90),
        "next_possible_delivery": until.isoformat(),
        "p_stockout": round(p_stockout(point, until), 4),
        "on_order": point.on_order,
        "risk_allowed": round(risk, 4),
        "next_visit": _iso(next_visit),
        "deliver_at": qty.deliver_at.isoformat(),
        "expected_at_delivery": round(qty.expected_at_delivery, 3),
        "target": qty.target,
        "needed": round(qty.rounded.needed, 3),
        "pack_size": point.pack_size,
        "moq": point.moq,
        "capacity": point.capacity,
        "rounding": qty.rounded.note,
    }
