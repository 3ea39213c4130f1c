"""One customer's lines into orders: due lines, lines consolidated onto the same trip,
and lines pulled forward onto a visit already planned.

Pure: `plan_customer` is a function of the customer's stock points, its segment policy,
an optional planned visit and `as_of`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from restock.replenish.model import CustomerState, PointState
from restock.replenish.policy import (
    order_quantity,
    p_stockout,
    protect_until,
    reasoning,
    reorder_due,
)
from restock.replenish.segments import ReplenishConfig


@dataclass(frozen=True, slots=True, kw_only=True)
class LinePlan:
    """One line of a draft: reason is "due", "consolidated" or "pulled_forward"; its
    reasoning says when it waits for or rides with another line."""

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


def runs_low_at(
    point: PointState, quantity: float, *, deliver_at: datetime, risk: float, until: datetime
) -> datetime:
    """When a line that receives `quantity` at `deliver_at` is next at risk: the first
    hour its P(stockout), counting the delivery and what is on order, exceeds `risk`
    (found by bisection; `until` if not before then). A line at risk before the delivery
    lands counts from the delivery on: that shortfall is past helping."""
    refilled = replace(
        point,
        on_order=point.on_order + quantity,
        on_order_arrival=max(point.on_order_arrival or deliver_at, deliver_at),
    )
    ordered = deliver_at - timedelta(hours=point.lead_time_hours)
    if p_stockout(refilled, until, ordering_at=ordered) <= risk:
        return until
    lo, hi = deliver_at, until
    while hi - lo > timedelta(hours=1):
        mid = lo + (hi - lo) / 2
        if p_stockout(refilled, mid, ordering_at=ordered) > risk:
            hi = mid
        else:
            lo = mid
    return hi


def next_trip(
    lines: Sequence[tuple[PointState, float]],
    *,
    deliver_at: datetime,
    risk: dict[int, float],
    until: datetime,
) -> datetime:
    """When the customer needs its next trip once `lines` (point, quantity) are
    delivered at `deliver_at`: the soonest any of them is at risk again."""
    return min(
        (
            runs_low_at(p, q, deliver_at=deliver_at, risk=risk[p.stock_point_id], until=until)
            for p, q in lines
        ),
        default=until,
    )


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
) -> tuple[CustomerPlan, ...]:
    """The orders one customer needs at `as_of`, soonest first (none: empty).

    A line is due when P(stockout before its next possible delivery) exceeds the risk
    its service level allows and it is worth a trip (see `worth_a_trip`). Due lines
    travel together once the slowest can arrive — on the planned visit instead if that
    is no later than needed — but a line waits for a slower one only within its own
    risk: one that would run out meanwhile beyond it goes on an earlier delivery of its
    own, with the lines that can arrive by then (see `_deliveries`). Lines that could
    not last until the customer's next trip after a delivery ride along (see
    `_riders`). With no due line, lines that would fall due within
    `pull_forward_hours` after a planned visit are delivered on it. A line's reasoning
    says when it waits or rides. Lines whose rounded quantity is 0 are left out.
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
    visit = customer.next_visit
    plans: list[CustomerPlan] = []
    if due:
        taken: set[int] = set()
        for group, deliver_at in _deliveries(due, as_of, risk):
            on_visit = (
                not plans
                and visit is not None
                and visit >= deliver_at
                and all(
                    p_stockout(p, visit, ordering_at=as_of) <= risk[p.stock_point_id]
                    and visit <= protect_until(p, as_of, config.review_hours)
                    for p in group
                )
            )
            if on_visit and visit is not None:
                deliver_at = visit
            rest = [p for p in open_points if p.stock_point_id not in taken]
            riders = _riders(group, rest, as_of, deliver_at, risk, config)
            chosen = [(p, "due") for p in group] + [(p, "consolidated") for p in riders]
            taken.update(p.stock_point_id for p, _ in chosen)
            plan = _plan(customer, chosen, group, as_of, deliver_at, on_visit, risk, config)
            if plan is not None:
                plans.append(plan)
    elif visit is not None:
        window = visit + timedelta(hours=config.pull_forward_hours)
        chosen = [
            (p, "pulled_forward")
            for p in open_points
            if p.earliest_delivery(as_of) <= visit
            and p_stockout(p, window, ordering_at=as_of) > risk[p.stock_point_id]
        ]
        plan = _plan(customer, chosen, [], as_of, visit, True, risk, config)
        if plan is not None:
            plans.append(plan)
    return tuple(plans)


def _deliveries(
    due: Sequence[PointState], as_of: datetime, risk: dict[int, float]
) -> list[tuple[list[PointState], datetime]]:
    """The due lines grouped into deliveries, soonest first: all together when the
    slowest can arrive; otherwise the lines that would run out (beyond their risk)
    before it go first, with every line that can arrive by then (grouped the same way),
    and the rest after."""
    if not due:
        return []
    slowest = max(p.earliest_delivery(as_of) for p in due)
    urgent = [
        p
        for p in due
        if p.earliest_delivery(as_of) < slowest
        and p_stockout(p, slowest, ordering_at=as_of) > risk[p.stock_point_id]
    ]
    if not urgent:
        return [(sorted(due, key=lambda p: p.stock_point_id), slowest)]
    first = max(p.earliest_delivery(as_of) for p in urgent)
    early = [p for p in due if p.earliest_delivery(as_of) <= first]
    late = [p for p in due if p.earliest_delivery(as_of) > first]
    return _deliveries(early, as_of, risk) + _deliveries(late, as_of, risk)


def _plan(
    customer: CustomerState,
    chosen: Sequence[tuple[PointState, str]],
    due: Sequence[PointState],
    as_of: datetime,
    deliver_at: datetime,
    on_visit: bool,
    risk: dict[int, float],
    config: ReplenishConfig,
) -> CustomerPlan | None:
    """The order for `chosen` lines delivered at `deliver_at`; None when none orders
    anything. A line arriving later than it could, or riding along, says so."""
    lines = []
    for point, reason in chosen:
        qty = order_quantity(point, as_of=as_of, deliver_at=deliver_at)
        if qty.quantity <= 0:
            continue
        why = reasoning(
            point,
            qty,
            as_of=as_of,
            risk=risk[point.stock_point_id],
            reason=reason,
            next_visit=customer.next_visit,
            review_hours=config.review_hours,
        )
        soonest = point.earliest_delivery(as_of)
        others = [p.stock_point_id for p in due if p.stock_point_id != point.stock_point_id]
        if reason == "due" and deliver_at > soonest:
            why["waits"] = {
                "could_arrive": soonest.isoformat(),
                "arrives": deliver_at.isoformat(),
                "with_stock_points": others,
                "p_stockout_meanwhile": round(p_stockout(point, deliver_at, ordering_at=as_of), 4),
                "within_risk": True,
            }
        elif reason == "consolidated":
            why["rides_with"] = {
                "stock_points": [p.stock_point_id for p in due],
                "because": "it could not last until the customer's next trip",
            }
        lines.append(
            LinePlan(
                stock_point_id=point.stock_point_id,
                product_id=point.product_id,
                quantity=qty.quantity,
                unit_cost=point.unit_cost,
                reason=reason,
                reasoning=why,
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


def _riders(
    due: Sequence[PointState],
    points: Sequence[PointState],
    as_of: datetime,
    deliver_at: datetime,
    risk: dict[int, float],
    config: ReplenishConfig,
) -> list[PointState]:
    """The lines that ride on the due lines' delivery: those that could not last until
    the customer's next trip as this order leaves it (the soonest a refilled line is at
    risk again), looked for from the review after the delivery to `consolidate_hours`
    later. A line that would call a trip of its own before then rides; one that can
    wait for the next trip does, and holds less stock meanwhile.

    The next trip is first taken from the due lines; the riders, once refilled, may
    bring it forward, and the riders are narrowed to that nearer trip once."""
    first = deliver_at + timedelta(hours=config.review_hours)
    last = first + timedelta(hours=config.consolidate_hours)

    def refill(lines: Sequence[PointState]) -> list[tuple[PointState, float]]:
        return [(p, order_quantity(p, as_of=as_of, deliver_at=deliver_at).quantity) for p in lines]

    def at_risk(lines: Sequence[PointState], trip: datetime) -> list[PointState]:
        return [p for p in lines if p_stockout(p, trip, ordering_at=as_of) > risk[p.stock_point_id]]

    due_ids = {p.stock_point_id for p in due}
    candidates = [
        p
        for p in points
        if p.stock_point_id not in due_ids and p.earliest_delivery(as_of) <= deliver_at
    ]
    trip = max(next_trip(refill(due), deliver_at=deliver_at, risk=risk, until=last), first)
    riders = at_risk(candidates, trip)
    nearer = next_trip(refill(riders), deliver_at=deliver_at, risk=risk, until=last)
    return at_risk(riders, max(min(trip, nearer), first))
