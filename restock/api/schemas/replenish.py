"""Request bodies and the API's views of orders, rules, triggers and routes.

Orders, triggers and routes are replenishment's frozen dataclasses
(`restock.replenish`); the views below restate them field for field (a unit test keeps
them in step) so that their times follow the API's convention
(restock.api.schemas.times): instants in UTC, an order's planned delivery in its
customer's time zone, a route's times in its rep's. Rules hold no times and are served
as the dataclass itself.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from restock.api.schemas.fields import BigId, Id, Name, NotNull, Segment, Strict
from restock.api.schemas.times import Instant, LocalDateTime, LocalTimes

OrderStatus = Literal["draft", "approved", "sent", "delivered", "rejected", "cancelled"]
TriggerStatus = Literal["open", "acknowledged", "completed", "cancelled"]
Quantity = Annotated[float, Field(ge=0, le=1e9)]


class OrderHead(LocalTimes):
    """What the queue and the order itself show of an order; deliver_at in the
    customer's time_zone. approved_by: a user or "rule:<id>"; waiting_reasons: why a
    draft was not approved by rule."""

    id: int
    customer_id: str
    customer_name: str
    segment: str
    rep_id: str | None
    status: OrderStatus
    as_of: Instant
    deliver_at: LocalDateTime
    on_planned_visit: bool
    value: float
    approved_by: str | None
    waiting_reasons: list[str]


class OrderSummary(OrderHead):
    """One row of the order queue."""

    lines: int


class OrderLine(BaseModel):
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


class AuditEvent(BaseModel):
    """Who (a person, "rule:<id>" or "job") did what, from and to which status."""

    at: Instant
    actor: str
    action: str
    from_status: str | None
    to_status: str | None
    detail: dict[str, Any]


class Hold(BaseModel):
    """A planner's standing rejection of a stock point (see restock.replenish.model)."""

    stock_point_id: int
    order_id: int
    at: Instant
    actor: str
    reason: str
    level: float
    p_stockout: float


class Order(OrderHead):
    """An order with its lines and audit trail. visit_id: the visit that delivers it;
    closed_reason: why it was rejected or cancelled; earlier_rejections: the planner's
    standing rejections of its stock points, shown beside a new draft."""

    visit_id: int | None
    approved_at: Instant | None
    delivered_at: Instant | None
    closed_reason: str | None
    lines: list[OrderLine]
    events: list[AuditEvent]
    earlier_rejections: list[Hold]


class LineQuantity(Strict):
    stock_point_id: BigId
    quantity: Quantity
    override: bool = Field(
        default=False,
        description="Keep the quantity as typed (flagged in the order); else it is rounded"
        " to packs and the MOQ and capped by the capacity.",
    )


class OrderEdit(Strict):
    lines: Annotated[list[LineQuantity], Field(min_length=1, max_length=1000)]


class Rejection(Strict):
    reason: Annotated[
        str,
        Field(min_length=1, max_length=1000, pattern=r"^[^\x00]*\S[^\x00]*$",
              description="Why: shown to the planner beside any new draft and to the rep"),
    ]  # fmt: skip


class Released(BaseModel):
    stock_point_id: int
    released: bool


class BulkApprove(Strict):
    order_ids: Annotated[list[BigId], Field(min_length=1, max_length=1000)]


class BulkFailure(BaseModel):
    order_id: int
    error: str


class BulkResult(BaseModel):
    approved: list[int]
    failed: list[BulkFailure]


Ratio = Annotated[float, Field(ge=0, le=1e6)]
# numeric(14, 2)
Money = Annotated[float, Field(ge=0, le=999_999_999_999.99)]


class RuleFields(Strict):
    """A rule's scope (null: any) and checks (null: not checked)."""

    segment: Segment | None = None
    customer_id: Id | None = None
    product_id: Id | None = None
    max_value: Money | None = None
    max_deviation: Ratio | None = None
    max_interval_ratio: Annotated[float, Field(gt=0, le=1e6)] | None = None
    require_healthy_sensor: Annotated[bool | None, NotNull] = None
    min_battery: Annotated[Annotated[float, Field(ge=0, le=1)] | None, NotNull] = None
    max_silence_hours: Annotated[Annotated[float, Field(gt=0, le=1e6)] | None, NotNull] = None
    enabled: Annotated[bool | None, NotNull] = None


class RuleUpdate(RuleFields):
    name: Annotated[Name | None, NotNull] = None


class RuleCreate(RuleFields):
    name: Name


class Trigger(BaseModel):
    """A visit trigger as reps and the API see it (times are instants)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    cause: str
    rep_id: str | None
    customer_id: str
    stock_point_id: int | None
    order_id: int | None
    purpose: str
    due_by: Instant
    priority: int
    detail: dict[str, Any]
    status: TriggerStatus
    created_at: Instant
    sent_at: Instant | None
    acknowledged_at: Instant | None
    acknowledged_by: str | None
    completed_at: Instant | None
    cancelled_at: Instant | None
    cancel_reason: str | None


class RouteStop(BaseModel):
    seq: int
    customer_id: str
    arrive_at: LocalDateTime
    depart_at: LocalDateTime
    required: bool
    purposes: list[str]
    trigger_ids: list[int]


class Route(LocalTimes):
    """A rep's day: start, stops and their times in the rep's time_zone."""

    rep_id: str
    start: LocalDateTime
    stops: list[RouteStop]
    distance_km: float
    duration_minutes: float
    skipped_required: list[str]
    skipped_optional: list[str]


class VisitEntry(BaseModel):
    """One visit in a customer's visit log: open while checked_out_at is null."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    customer_id: str
    rep_id: str
    checked_in_at: Instant
    checked_out_at: Instant | None
    outcome: str | None
    notes: str
    next_action: str
    next_action_due: date | None
    checked_in_by: str
    checked_out_by: str | None


class VisitMade(Strict):
    customer_id: Id


class Visit(BaseModel):
    id: int
    rep_id: str
    customer_id: str
    at: Instant
