"""One customer's lines into one order: due lines, lines consolidated onto the same
trip, and lines pulled forward onto a visit already planned.

Pure: `plan_customer` is a function of the customer's stock points, its segment policy,
an optional planned visit and `as_of`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from restock.replenish.policy import (
    PointState,
    order_quantity,
    p_stockout,
    protect_until,
    reasoning,
    reorder_due,
)
from restock.replenish.segments import ReplenishConfig


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerState:
    """A customer as the policy sees it: segment, rep, and the next visit already
    planned (a delivery under way or a rep's visit), if any."""

    customer_id: str
    segment: str
    rep_id: str | None = None
    next_visit: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class LinePlan:
    """One line of a draft: reason is "due", "consolidated" or "pulled_forward"."""

    stock_point_id: int
    product_id: str
    quantity: float
    unit_cost: float
    reason: str
    reasoning: dict[str, Any]

    @property
    def value(self) -> float:
        return self.quantity * self.unit_cost


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerPlan:
    """The order to draft for one customer: delivered at `deliver_at`, on the planned
    visit when `on_planned_visit`."""

    customer_id: str
    deliver_at: datetime
    on_planned_visit: bool
    lines: tuple[LinePlan, ...]

    @property
    def value(self) -> float:
        return sum(line.value for line in self.lines)


def predicted_trip(
    points: Sequence[PointState],
    *,
    as_of: datetime,
    risk: dict[int, float],
    config: ReplenishConfig,
) -> datetime | None:
    """When the customer's next delivery will be needed, on the current forecasts: the
    soonest, over its lines, of the first later review at which a line falls due plus
    its lead time (None if none falls due within `anticipate_reviews` reviews)."""
    step = timedelta(hours=config.review_hours)
    best: datetime | None = None
    for p in points:
        for k in range(1, config.anticipate_reviews + 1):
            review = as_of + k * step
            if (
                p_stockout(p, protect_until(p, review, config.review_hours))
                > risk[p.stock_point_id]
            ):
                arrival = p.earliest_delivery(review)
                best = arrival if best is None else min(best, arrival)
                break
    return best


def worth_a_trip(point: PointState, *, as_of: datetime, config: ReplenishConfig) -> bool:
    """Whether a line at risk should call a trip now: it must take at least a pack, and
    at least `min_order_fraction` of its target unless its median stockout falls before
    the delivery after next (a shelf still mostly full waits a review or more, and is
    then filled in one trip instead of topped up in several)."""
    qty = order_quantity(point, as_of=as_of, deliver_at=point.earliest_delivery(as_of))
    if qty.quantity <= 0:
        return False
    if qty.quantity >= config.min_order_fraction * qty.target:
        return True
    soon = protect_until(point, as_of, config.review_hours) + timedelta(hours=config.review_hours)
    return point.stockout_p50 is not None and point.stockout_p50 <= soon


def plan_customer(
    customer: CustomerState,
    points: Sequence[PointState],
    *,
    as_of: datetime,
    config: ReplenishConfig,
) -> CustomerPlan | None:
    """The order one customer needs at `as_of`, or None.

    A line is due when P(stockout before its next possible delivery) exceeds the risk
    its service level allows and it is worth a trip (see `worth_a_trip`). Due lines are
    delivered together once the slowest can arrive — on the planned visit instead if
    that is no later than needed. Lines that would fall due within `consolidate_hours`
    of that delivery ride along. With no due line, lines that would fall due within
    `pull_forward_hours` after a planned visit are delivered on it. With neither, a
    slow line (long lead time) that would fall due soon after the customer's next
    predicted trip, and that an order at the next review could no longer put on it, is
    ordered now for that trip ("anticipated"): the trip becomes a planned visit the
    faster lines ride on. Lines whose rounded quantity is 0 are left out.
    Raises KeyError for an unknown segment.
    """
    open_points = list(points)
    risk = {
        p.stock_point_id: 1.0 - config.service_level(customer.segment, p.service_level)
        for p in open_points
    }
    review = config.review_hours
    due = [
        p
        for p in open_points
        if reorder_due(p, as_of=as_of, risk=risk[p.stock_point_id], review_hours=review)
        and worth_a_trip(p, as_of=as_of, config=config)
    ]
    due_ids = {p.stock_point_id for p in due}
    visit = customer.next_visit
    if due:
        deliver_at = max(p.earliest_delivery(as_of) for p in due)
        on_visit = (
            visit is not None
            and visit >= deliver_at
            and all(
                p_stockout(p, visit) <= risk[p.stock_point_id]
                and visit <= protect_until(p, as_of, config.review_hours)
                for p in due
            )
        )
        if on_visit and visit is not None:
            deliver_at = visit
        window = deliver_at + timedelta(hours=config.review_hours + config.consolidate_hours)
        chosen = [(p, "due") for p in due] + [
            (p, "consolidated")
            for p in open_points
            if p.stock_point_id not in due_ids
            and p.earliest_delivery(as_of) <= deliver_at
            and p_stockout(p, window) > risk[p.stock_point_id]
        ]
    elif visit is not None:
        deliver_at, on_visit = visit, True
        window = visit + timedelta(hours=config.pull_forward_hours)
        chosen = [
            (p, "pulled_forward")
            for p in open_points
            if p.earliest_delivery(as_of) <= visit
            and p_stockout(p, window) > risk[p.stock_point_id]
        ]
    else:
        trip = predicted_trip(open_points, as_of=as_of, risk=risk, config=config)
        if trip is None:
            return None
        deliver_at, on_visit = trip, False
        window = trip + timedelta(hours=config.review_hours + config.consolidate_hours)
        next_review = as_of + timedelta(hours=review)
        chosen = [
            (p, "anticipated")
            for p in open_points
            if p.earliest_delivery(as_of) <= trip < p.earliest_delivery(next_review)
            and p_stockout(p, window) > risk[p.stock_point_id]
        ]
    lines = []
    for point, reason in chosen:
        qty = order_quantity(point, as_of=as_of, deliver_at=deliver_at)
        if qty.quantity <= 0:
            continue
        lines.append(
            LinePlan(
                stock_point_id=point.stock_point_id,
                product_id=point.product_id,
                quantity=qty.quantity,
                unit_cost=point.unit_cost,
                reason=reason,
                reasoning=reasoning(
                    point,
                    qty,
                    as_of=as_of,
                    risk=risk[point.stock_point_id],
                    reason=reason,
                    next_visit=visit,
                    review_hours=config.review_hours,
                ),
            )
        )
    if not lines:
        return None
    return CustomerPlan(
        customer_id=customer.customer_id,
        deliver_at=deliver_at,
        on_planned_visit=on_visit,
        lines=tuple(sorted(lines, key=lambda line: line.stock_point_id)),
    )
