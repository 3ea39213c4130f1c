"""Request bodies and the API's views of orders, rules, triggers and routes.

Orders, triggers and routes are replenishment's frozen dataclasses
(`restock.replenish`); the views below restate them field for field (a unit test keeps
them in step) so that their times follow the API's convention
(restock.api.schemas.times): instants in UTC, an order's planned delivery in its
customer's time zone, a route's times in its rep's. Rules hold no times and are served
as the dataclass itself.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from restock.api.schemas.fields import BigId, Id, Name, NotNull, Segment, Strict, Text
from restock.api.schemas.times import Instant, LocalDateTime, LocalTimes

OrderStatus = Literal["draft", "approved", "rejected", "sent", "delivered"]
TriggerStatus = Literal["open", "acknowledged", "completed", "cancelled"]
Quantity = Annotated[float, Field(ge=0, le=1e9)]


class OrderHead(LocalTimes):
    """What the queue and the order itself show of an order; deliver_at in the
    customer's time_zone. approved_by: a user or "rule:<id>"; waiting_reasons: why a
    draft was not approved by rule."""

    id: int
    customer_id: str
    segment: str
    rep_id: str | None
    status: str
    as_of: Instant
    deliver_at: LocalDateTime
    on_planned_visit: bool
    value: float
    approved_by: str | None
    waiting_reasons: list[str]


class OrderSummary(OrderHead):
    """One row of the order queue."""

    customer_name: str
    lines: int


class OrderLine(BaseModel):
    stock_point_id: int
    product_id: str
    quantity: float
    suggested_quantity: float
    unit_cost: float
    reason: str
    reasoning: dict[str, Any]
    delivered_quantity: float | None
    reconciled: str | None


class OrderEvent(BaseModel):
    at: Instant
    actor: str
    action: str
    detail: dict[str, Any]


class Order(OrderHead):
    """An order with its lines and audit trail."""

    approved_at: Instant | None
    lines: list[OrderLine]
    events: list[OrderEvent]


class LineQuantity(Strict):
    stock_point_id: BigId
    quantity: Quantity


class OrderEdit(Strict):
    lines: Annotated[list[LineQuantity], Field(min_length=1, max_length=1000)]


class Rejection(Strict):
    reason: Text = ""


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
    status: str
    created_at: Instant
    sent_at: Instant | None
    acknowledged_at: Instant | None
    acknowledged_by: str | None
    completed_at: Instant | None


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


class VisitMade(Strict):
    customer_id: Id


class Visit(BaseModel):
    id: int
    rep_id: str
    customer_id: str
    at: Instant
