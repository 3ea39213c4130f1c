"""Orders, auto-approve rules, visit triggers and routes as the API shows them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from restock.api.schemas.domain import Id, Strict

OrderStatus = Literal["draft", "approved", "rejected", "sent", "delivered"]
TriggerStatus = Literal["open", "acknowledged", "completed", "cancelled"]
BigId = Annotated[int, Field(ge=1, le=2**62)]
Quantity = Annotated[float, Field(ge=0, le=1e9)]


class FromAttributes(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class OrderSummary(BaseModel):
    id: int
    customer_id: str
    customer_name: str
    segment: str
    rep_id: str | None
    status: str
    as_of: datetime
    deliver_at: datetime
    on_planned_visit: bool
    value: float
    lines: int
    approved_by: str | None
    waiting_reasons: list[str]


class OrderLine(FromAttributes):
    stock_point_id: int
    product_id: str
    quantity: float
    suggested_quantity: float
    unit_cost: float
    reason: str
    reasoning: dict[str, Any]
    delivered_quantity: float | None
    reconciled: str | None


class OrderEvent(FromAttributes):
    at: datetime
    actor: str
    action: str
    detail: dict[str, Any]


class Order(FromAttributes):
    id: int
    customer_id: str
    segment: str
    rep_id: str | None
    status: str
    as_of: datetime
    deliver_at: datetime
    on_planned_visit: bool
    value: float
    approved_by: str | None
    approved_at: datetime | None
    waiting_reasons: list[str]
    lines: list[OrderLine]
    events: list[OrderEvent]


class LineQuantity(Strict):
    stock_point_id: BigId
    quantity: Quantity


class OrderEdit(Strict):
    lines: Annotated[list[LineQuantity], Field(min_length=1, max_length=1000)]


class Rejection(Strict):
    reason: Annotated[str, Field(max_length=1000, pattern=r"^[^\x00]*$")] = ""


class BulkApprove(Strict):
    order_ids: Annotated[list[BigId], Field(min_length=1, max_length=1000)]


class BulkFailure(BaseModel):
    order_id: int
    error: str


class BulkResult(BaseModel):
    approved: list[int]
    failed: list[BulkFailure]


Ratio = Annotated[float, Field(ge=0, le=1e6)]


class RuleFields(Strict):
    segment: Literal["A", "B", "C"] | None = None
    customer_id: Id | None = None
    product_id: Id | None = None
    max_value: Annotated[float, Field(ge=0, le=1e12)] | None = None
    max_deviation: Ratio | None = None
    max_interval_ratio: Annotated[float, Field(gt=0, le=1e6)] | None = None
    require_healthy_sensor: bool | None = None
    min_battery: Annotated[float, Field(ge=0, le=1)] | None = None
    max_silence_hours: Annotated[float, Field(gt=0, le=1e6)] | None = None
    enabled: bool | None = None


class RuleUpdate(RuleFields):
    name: Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\x00]*\S")] | None = None


class RuleCreate(RuleFields):
    name: Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\x00]*\S")]


class Rule(FromAttributes):
    id: int
    name: str
    segment: str | None
    customer_id: str | None
    product_id: str | None
    max_value: float | None
    max_deviation: float | None
    max_interval_ratio: float | None
    require_healthy_sensor: bool
    min_battery: float
    max_silence_hours: float
    enabled: bool


class Trigger(FromAttributes):
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
    status: str
    created_at: datetime
    sent_at: datetime | None
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    completed_at: datetime | None


class PlannedStop(FromAttributes):
    seq: int
    customer_id: str
    arrive_at: datetime
    depart_at: datetime
    required: bool
    purposes: list[str]
    trigger_ids: list[int]


class Route(FromAttributes):
    rep_id: str
    start: datetime
    stops: list[PlannedStop]
    distance_km: float
    duration_minutes: float
    skipped_required: list[str]
    skipped_optional: list[str]
