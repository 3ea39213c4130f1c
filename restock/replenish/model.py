"""The decision layer's types: what replenishment knows of a stock point, a customer and
its sensor, and the orders, visits and triggers it creates. Frozen values, no I/O.

Statuses and the moves between them are `restock.replenish.lifecycle`'s.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from restock.replenish.lifecycle import OrderStatus, TriggerStatus, VisitStatus
from restock.replenish.visits.workdays import WorkWeek


class StockoutCurve(Protocol):
    def p_stockout_before(self, when: datetime) -> float:
        """P(the stock runs out before `when`)."""
        ...


@dataclass(frozen=True, slots=True, kw_only=True)
class PointState:
    """One stock point as the policy sees it at `as_of`: its settings and forecast.
    on_order: quantity approved, sent, or delivered after the forecast's newest
    reading (so not yet in its level), arriving by on_order_arrival (the latest
    arrival when there are several)."""

    stock_point_id: int
    customer_id: str
    product_id: str
    capacity: float
    target_level: float | None = None
    service_level: float | None = None
    pack_size: float = 1.0
    moq: float = 0.0
    lead_time_hours: float = 24.0
    unit_cost: float = 0.0
    level: float
    rate_per_hour: float
    stockout_p10: datetime | None = None
    stockout_p50: datetime | None = None
    stockout_p90: datetime | None = None
    forecast_as_of: datetime | None = None
    curve: StockoutCurve
    on_order: float = 0.0
    on_order_arrival: datetime | None = None

    def earliest_delivery(self, as_of: datetime) -> datetime:
        """The soonest an order placed at `as_of` can arrive."""
        return as_of + timedelta(hours=self.lead_time_hours)

    @property
    def target(self) -> float:
        """Order-up-to level: the stock point's target, else its capacity."""
        return min(self.target_level or self.capacity, self.capacity)


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerState:
    """A customer as the policy sees it: segment, rep and the rep's working week, and
    the next visit already planned (a delivery under way or a rep's visit), if any."""

    customer_id: str
    segment: str
    rep_id: str | None = None
    next_visit: datetime | None = None
    work: WorkWeek = field(default_factory=WorkWeek)


@dataclass(frozen=True, slots=True, kw_only=True)
class SensorHealth:
    """The sensor watching a stock point. last_reading_at: its newest ACCEPTED reading
    (rejected messages say nothing of the stock); rejected_recent: messages rejected
    since that reading (or over the look-back when there is none), by reason."""

    sensor_id: str | None = None
    status: str | None = None
    battery: float | None = None
    last_reading_at: datetime | None = None
    rejected_recent: dict[str, int] = field(default_factory=dict)

    @property
    def rejected_total(self) -> int:
        return sum(self.rejected_recent.values())


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderLine:
    """override: the planner kept a quantity off packs/MOQ/capacity on purpose."""

    stock_point_id: int
    product_id: str
    product_name: str
    quantity: float
    suggested_quantity: float
    unit_cost: float
    reason: str
    reasoning: dict[str, Any]
    override: bool
    delivered_quantity: float | None
    reconciled: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditEvent:
    """One step in the audit trail of an order, visit or trigger: who (a person, a
    rule as "rule:<id>", or "job") did what, and the status it moved from and to."""

    at: datetime
    actor: str
    action: str
    from_status: str | None
    to_status: str | None
    detail: dict[str, Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class Hold:
    """A planner's rejection the next runs respect: the stock point is not drafted again
    for the same need until its level drops below `level`'s reach or its risk rises
    well past `p_stockout`, or a planner releases it."""

    stock_point_id: int
    order_id: int
    at: datetime
    actor: str
    reason: str
    level: float
    p_stockout: float


@dataclass(frozen=True, slots=True, kw_only=True)
class Order:
    """An order with its lines and audit trail. approved_by: a user or "rule:<id>";
    waiting_reasons: why a draft was not approved by rule; visit_id: the visit that
    delivers it; closed_reason: why it was rejected or cancelled; earlier_rejections:
    the planner's standing rejections of its stock points, shown beside a new draft."""

    id: int
    customer_id: str
    customer_name: str
    segment: str
    rep_id: str | None
    status: OrderStatus
    as_of: datetime
    deliver_at: datetime
    on_planned_visit: bool
    visit_id: int | None
    value: float
    approved_by: str | None
    approved_at: datetime | None
    delivered_at: datetime | None
    closed_reason: str | None
    waiting_reasons: tuple[str, ...]
    lines: tuple[OrderLine, ...]
    events: tuple[AuditEvent, ...]
    earlier_rejections: tuple[Hold, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", OrderStatus(self.status))

    @property
    def has_positive_line(self) -> bool:
        return any(line.quantity > 0 for line in self.lines)


@dataclass(frozen=True, slots=True, kw_only=True)
class Visit:
    """A rep at a customer on a local day: planned (by the route planner, an order's
    delivery or a trigger), made, cancelled or missed."""

    id: int
    rep_id: str | None
    customer_id: str
    day: date
    planned_at: datetime
    purposes: tuple[str, ...]
    status: VisitStatus
    done_at: datetime | None
    order_ids: tuple[int, ...] = ()

    def __post_init__(self) -> None:  # rows arrive with plain strings and lists
        object.__setattr__(self, "status", VisitStatus(self.status))
        object.__setattr__(self, "purposes", tuple(self.purposes))
        object.__setattr__(self, "order_ids", tuple(self.order_ids))


@dataclass(frozen=True, slots=True, kw_only=True)
class Trigger:
    """A visit trigger as reps and the API see it."""

    id: int
    cause: str
    rep_id: str | None
    customer_id: str
    stock_point_id: int | None
    order_id: int | None
    purpose: str
    due_by: datetime
    priority: int
    detail: dict[str, Any]
    status: TriggerStatus
    created_at: datetime
    sent_at: datetime | None
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    completed_at: datetime | None
    cancelled_at: datetime | None
    cancel_reason: str | None

    def __post_init__(self) -> None:  # rows arrive with plain strings
        object.__setattr__(self, "status", TriggerStatus(self.status))

    def message(self) -> dict[str, Any]:
        """The JSON body sent to the rep (MQTT and webhook); a cancellation carries the
        same trigger_id and cause with status "cancelled" and the reason."""
        body: dict[str, Any] = {
            "trigger_id": self.id,
            "cause": self.cause,
            "status": self.status.value,
            "rep_id": self.rep_id,
            "customer_id": self.customer_id,
            "stock_point_id": self.stock_point_id,
            "order_id": self.order_id,
            "purpose": self.purpose,
            "due_by": self.due_by.isoformat(),
            "priority": self.priority,
            "detail": self.detail,
        }
        if self.status == TriggerStatus.cancelled:
            body["cancel_reason"] = self.cancel_reason
        return body
