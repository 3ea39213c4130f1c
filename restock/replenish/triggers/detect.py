"""Visit triggers: whom a rep should visit, by when, and why. Pure detection.

Each candidate has a `cause` that names its purpose, its subject and its episode; the
database keeps causes unique, so the same cause is never raised (nor sent) twice.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from restock.core.settings import Settings
from restock.replenish.model import CustomerState, PointState
from restock.replenish.policy import (
    order_quantity,
    p_stockout,
    protect_until,
    reorder_due,
)
from restock.replenish.segments import DEFAULT_SEGMENTS, SegmentPolicy

PURPOSE_WEIGHT: Mapping[str, int] = {
    "stockout_risk": 50,
    "order_delivery": 40,
    "unexplained_rise": 25,
    "sensor_offline": 20,
    "sensor_bad_data": 20,
    "consumption_drop": 20,
    "shelf_too_small": 15,
    "battery_low": 10,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class TriggerConfig:
    """drop_ratio: consumption below this share of the own baseline is a churn signal;
    rise_fraction: an upward jump of this share of capacity with no delivery;
    silence_hours: no accepted reading for this long = sensor offline; low_battery:
    0..1; proposal_days: how long a rep has to propose a larger shelf
    (shelf_too_small), on a visit made anyway; bad_data_messages / bad_data_hours: a
    sensor whose messages are rejected (at least this many since its newest accepted
    reading, and no accepted one for this long) sends bad data."""

    drop_ratio: float = 0.5
    rise_fraction: float = 0.2
    silence_hours: float = 12.0
    low_battery: float = 0.15
    proposal_days: float = 14.0
    bad_data_messages: int = 10
    bad_data_hours: float = 6.0

    @classmethod
    def from_settings(cls, settings: Settings) -> TriggerConfig:
        """The thresholds `settings` configure (RESTOCK_TRIGGER_*). A sensor's silence is
        judged by the offline sweep (RESTOCK_SENSOR_OFFLINE_AFTER_S), whose status the
        trigger follows; silence_hours is only the fallback should the sweep not run."""
        return cls(
            drop_ratio=settings.trigger_drop_ratio,
            rise_fraction=settings.trigger_rise_fraction,
            low_battery=settings.trigger_low_battery,
            proposal_days=settings.trigger_proposal_days,
            bad_data_messages=settings.trigger_bad_data_messages,
            bad_data_hours=settings.trigger_bad_data_hours,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Candidate:
    cause: str
    purpose: str
    rep_id: str | None
    customer_id: str
    stock_point_id: int | None = None
    order_id: int | None = None
    due_by: datetime
    priority: int
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class ApprovedOrder:
    order_id: int
    customer_id: str
    deliver_at: datetime
    value: float


@dataclass(frozen=True, slots=True, kw_only=True)
class Signals:
    """Per stock point: sensor status, battery, newest accepted reading, messages
    rejected since (by reason), consumption baseline (mean rate over the past weeks),
    level at the previous forecast and whether a delivery arrived since."""

    status: Mapping[int, str | None] = field(default_factory=dict)
    battery: Mapping[int, float | None] = field(default_factory=dict)
    last_reading_at: Mapping[int, datetime | None] = field(default_factory=dict)
    rejected: Mapping[int, Mapping[str, int]] = field(default_factory=dict)
    baseline_rate: Mapping[int, float] = field(default_factory=dict)
    previous_level: Mapping[int, float] = field(default_factory=dict)
    delivered_since_previous: frozenset[int] = frozenset()


def priority(purpose: str, segment_weight: int, risk: float = 0.0, value: float = 0.0) -> int:
    """Higher is more urgent: purpose, then the segment's weight, then risk (0..1) and
    value."""
    bonus = min(int(value // 10_000), 10)
    return PURPOSE_WEIGHT[purpose] + segment_weight + round(20 * risk) + bonus


def _emit(
    out: list[Candidate],
    customer: CustomerState,
    weight: int,
    stock_point_id: int,
    purpose: str,
    episode: str,
    due_by: datetime,
    detail: dict[str, Any],
    *,
    prob: float = 0.0,
) -> None:
    out.append(
        Candidate(
            cause=f"{purpose}:{stock_point_id}:{episode}",
            purpose=purpose,
            rep_id=customer.rep_id,
            customer_id=customer.customer_id,
            stock_point_id=stock_point_id,
            due_by=due_by,
            priority=priority(purpose, weight, prob),
            detail=detail,
        )
    )


def detect(
    *,
    as_of: datetime,
    points: Mapping[int, PointState],
    customers: Mapping[str, CustomerState],
    risk: Mapping[int, float],
    review_hours: float,
    signals: Signals,
    approved: Sequence[ApprovedOrder] = (),
    config: TriggerConfig | None = None,
    segments: Mapping[str, SegmentPolicy] = DEFAULT_SEGMENTS,
) -> list[Candidate]:
    """Trigger candidates at `as_of`: stockout risk before the next visit with nothing on
    order, orders to deliver, consumption drops, silent sensors, low batteries, stock
    rising with no delivery, shelves too small for a pack (see `shelf_too_small`).
    `risk`: the allowed stockout probability per stock point; `review_hours`: as in
    ReplenishConfig (stockout risk looks to the next planned visit, else to the next
    possible delivery)."""
    cfg = config or TriggerConfig()
    day = as_of.date().isoformat()
    out: list[Candidate] = []
    for sp, p in points.items():
        c = customers[p.customer_id]

        weight = segments[c.segment].priority if c.segment in segments else 0
        emit = partial(_emit, out, c, weight, sp)
        horizon = c.next_visit or protect_until(p, as_of, review_hours)
        prob = p_stockout(p, horizon)
        if prob > risk[sp]:
            emit(
                "stockout_risk",
                day,
                p.stockout_p10 or horizon,
                {"p_stockout": round(prob, 4), "before": horizon.isoformat(), "level": p.level},
                prob=prob,
            )
        small = shelf_too_small(p, as_of=as_of, risk=risk[sp], review_hours=review_hours)
        if small is not None:
            emit(
                "shelf_too_small",
                f"{as_of:%Y-%m}",
                as_of + timedelta(days=cfg.proposal_days),
                small,
                prob=small["p_stockout"],
            )
        baseline = signals.baseline_rate.get(sp)
        if baseline and baseline > 0 and p.rate_per_hour < cfg.drop_ratio * baseline:
            week = as_of.isocalendar()
            emit(
                "consumption_drop",
                f"{week.year}-W{week.week:02d}",
                as_of + timedelta(days=7),
                {"rate_per_hour": p.rate_per_hour, "baseline_rate_per_hour": baseline},
            )
        seen = signals.last_reading_at.get(sp)
        last = None if seen is None else seen.isoformat()
        rejected = signals.rejected.get(sp, {})
        bad = bad_data(rejected, seen, as_of=as_of, config=cfg)
        if bad is not None:
            emit("sensor_bad_data", last or "never", as_of + timedelta(days=2), bad)
        elif signals.status.get(sp) == "offline" or (
            seen is None or as_of - seen > timedelta(hours=cfg.silence_hours)
        ):
            emit("sensor_offline", last or "never", as_of + timedelta(days=2),
                 {"last_reading_at": last})  # fmt: skip
        battery = signals.battery.get(sp)
        if battery is not None and battery < cfg.low_battery:
            emit("battery_low", f"{as_of:%Y-%m}", as_of + timedelta(days=7), {"battery": battery})
        before = signals.previous_level.get(sp)
        rise = p.level - before if before is not None else 0.0
        if rise > cfg.rise_fraction * p.capacity and sp not in signals.delivered_since_previous:
            emit(
                "unexplained_rise",
                as_of.isoformat(),
                as_of + timedelta(days=3),
                {"from": before, "to": p.level},
            )
    for order in approved:
        owner = customers.get(order.customer_id)
        policy = segments.get(owner.segment) if owner else None
        out.append(
            Candidate(
                cause=f"order_delivery:{order.order_id}",
                purpose="order_delivery",
                rep_id=owner.rep_id if owner else None,
                customer_id=order.customer_id,
                order_id=order.order_id,
                due_by=order.deliver_at,
                priority=priority(
                    "order_delivery", policy.priority if policy else 0, value=order.value
                ),
                detail={"value": order.value},
            )
        )
    return out


# what a rep should look at first, by the reason most messages are rejected for
LIKELY_CAUSE: Mapping[str, str] = {
    "negative_value": "tare/calibration",
    "absurd_value": "tare/calibration or scale",
    "not_finite": "the sensor's firmware",
    "malformed_json": "the gateway's firmware",
    "wrong_type": "the gateway's firmware",
    "missing_field": "the gateway's firmware",
    "bad_timestamp": "the device's clock",
    "future_timestamp": "the device's clock",
    "before_installed": "the device's clock or its installation date",
    "conflicting_value": "a duplicated or cloned device",
}


def bad_data(
    rejected: Mapping[str, int], seen: datetime | None, *, as_of: datetime, config: TriggerConfig
) -> dict[str, Any] | None:
    """What a rep needs to fix a sensor whose messages are rejected (at least
    bad_data_messages since its newest accepted reading, none accepted for
    bad_data_hours), or None."""
    total = sum(rejected.values())
    quiet = seen is None or as_of - seen > timedelta(hours=config.bad_data_hours)
    if total < config.bad_data_messages or not quiet:
        return None
    reason = max(sorted(rejected), key=lambda r: rejected[r])
    since = "ever" if seen is None else f"since {seen.isoformat()}"
    cause = LIKELY_CAUSE.get(reason, "the sensor")
    return {
        "summary": f"sensor sends bad data: {rejected[reason]} {reason.replace('_', ' ')}"
        f" message(s) {since} ({total} rejected in all); likely {cause}",
        "rejected": dict(rejected),
        "last_reading_at": None if seen is None else seen.isoformat(),
        "likely_cause": cause,
    }


def shelf_too_small(
    p: PointState, *, as_of: datetime, risk: float, review_hours: float
) -> dict[str, Any] | None:
    """What a rep needs to propose a larger shelf, or None: the stock point is due for
    an order (P(stockout before the next possible delivery) over `risk`, nothing on its
    way), yet not even one pack (or the MOQ) fits the room expected when an order placed
    now arrives. Until a pack's worth has gone, no order can help, and the shelf runs
    at risk; in the closed-loop benchmark, such shelves lose most of the demand A
    customers lose. suggested_capacity: the smallest shelf that takes an order now.
    """
    if p.on_order > 0 or not reorder_due(p, as_of=as_of, risk=risk, review_hours=review_hours):
        return None
    fit = order_quantity(p, as_of=as_of, deliver_at=p.earliest_delivery(as_of))
    if fit.rounded.packs > 0 or fit.rounded.needed <= 0:
        return None
    least = max(p.pack_size, math.ceil(p.moq / p.pack_size - 1e-9) * p.pack_size)
    until = protect_until(p, as_of, review_hours)
    return {
        "p_stockout": round(p_stockout(p, until, ordering_at=as_of), 4),
        "before": until.isoformat(),
        "level": p.level,
        "capacity": p.capacity,
        "room_at_delivery": round(p.capacity - fit.expected_at_delivery, 3),
        "pack_size": p.pack_size,
        "moq": p.moq,
        "suggested_capacity": math.ceil(fit.expected_at_delivery + least - 1e-9),
    }
