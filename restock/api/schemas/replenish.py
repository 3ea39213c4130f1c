"""Request bodies and API-specific views for orders, rules, triggers and routes.

Orders, rules, triggers and planned stops themselves are served as the domain's frozen
dataclasses (`restock.replenish`); FastAPI builds their schemas, so no mirror is kept.
`Route` is the exception: it restates RoutePlan so that its skipped lists are required
in the OpenAPI document (RoutePlan gives them defaults).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from restock.api.schemas.domain import Id, Strict
from restock.replenish.visits.routing import PlannedStop

OrderStatus = Literal["draft", "approved", "sent", "delivered", "rejected", "cancelled"]
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


# A rule's scope and limits are cleared with null; these always hold a value.
NOT_NULL_RULE_FIELDS = ("name", "require_healthy_sensor", "min_battery", "max_silence_hours",
                        "enabled")  # fmt: skip


class RuleUpdate(RuleFields):
    name: Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\x00]*\S")] | None = None

    @model_validator(mode="after")
    def _no_null_where_a_rule_needs_a_value(self) -> Self:
        nulls = [f for f in NOT_NULL_RULE_FIELDS if f in self.model_fields_set
                 and getattr(self, f) is None]  # fmt: skip
        if nulls:
            raise ValueError(f"{', '.join(nulls)} cannot be null (leave it out to keep it)")
        return self


class RuleCreate(RuleFields):
    name: Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\x00]*\S")]


class Route(FromAttributes):
    rep_id: str
    start: datetime
    stops: list[PlannedStop]
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
    at: datetime
