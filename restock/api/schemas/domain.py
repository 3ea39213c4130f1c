"""Customers, reps, products, stock points and sensors as the API shows and takes them.

Request bodies (the `Strict` models) admit what the columns of
restock/core/migrations/0001_domain.sql accept; see restock.api.schemas.fields.
"""

from __future__ import annotations

from typing import Annotated, Any, Self

from pydantic import AfterValidator, BaseModel, Field, model_validator
from pydantic_core import PydanticCustomError

from restock.api.schemas.fields import (
    BigId,
    Id,
    Lat,
    Lon,
    Name,
    NonNegative,
    NotNull,
    OpeningHours,
    Positive,
    Segment,
    SensorKind,
    Strict,
    TimeOfDay,
    TimeZoneName,
    WorkDays,
)
from restock.api.schemas.times import Instant, OffsetDateTime


class Customer(BaseModel):
    id: str
    name: str
    segment: str
    rep_id: str | None
    lat: float
    lon: float
    time_zone: str
    opening_hours: dict[str, Any]
    visit_window_start: TimeOfDay | None
    visit_window_end: TimeOfDay | None
    visit_cadence_days: int | None
    service_minutes: int
    created_at: Instant


class CustomerUpdate(Strict):
    """Fields left out keep their value; null clears rep_id and visit_cadence_days."""

    name: Annotated[Name | None, NotNull] = None
    segment: Annotated[Segment | None, NotNull] = None
    rep_id: Id | None = None
    lat: Annotated[Lat | None, NotNull] = None
    lon: Annotated[Lon | None, NotNull] = None
    time_zone: Annotated[TimeZoneName | None, NotNull] = None
    opening_hours: Annotated[OpeningHours | None, NotNull] = None
    visit_cadence_days: Annotated[int, Field(gt=0, le=3650)] | None = None
    service_minutes: Annotated[Annotated[int, Field(ge=0, le=1440)] | None, NotNull] = None


class CustomerCreate(CustomerUpdate):
    id: Id
    name: Name
    segment: Segment
    lat: Lat
    lon: Lon


class Rep(BaseModel):
    id: str
    name: str
    depot_lat: float
    depot_lon: float
    work_start: TimeOfDay
    work_end: TimeOfDay
    work_days: list[int]
    time_zone: str
    created_at: Instant


class RepUpdate(Strict):
    """Fields left out keep their value. work_start and work_end (HH:MM in time_zone)
    are set together, the start before the end."""

    name: Annotated[Name | None, NotNull] = None
    depot_lat: Annotated[Lat | None, NotNull] = None
    depot_lon: Annotated[Lon | None, NotNull] = None
    work_start: Annotated[TimeOfDay | None, NotNull] = None
    work_end: Annotated[TimeOfDay | None, NotNull] = None
    work_days: Annotated[WorkDays | None, NotNull] = None
    time_zone: Annotated[TimeZoneName | None, NotNull] = None

    @model_validator(mode="after")
    def _working_hours_together_and_in_order(self) -> Self:
        given = {"work_start", "work_end"} & self.model_fields_set
        if len(given) == 1:
            raise PydanticCustomError("working_hours", "work_start and work_end go together")
        start, end = self.work_start, self.work_end
        if start is not None and end is not None and start >= end:
            raise PydanticCustomError("working_hours", "work_start must be before work_end")
        return self


class RepCreate(RepUpdate):
    id: Id
    name: Name
    depot_lat: Lat
    depot_lon: Lon


class Product(BaseModel):
    id: str
    name: str
    unit: str
    pack_size: float
    moq: float
    lead_time_hours: float
    unit_cost: float
    unit_weight_g: float | None
    created_at: Instant


Unit = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[^\x00]*$")]
# numeric(12, 2)
UnitCost = Annotated[float, Field(ge=0, le=9_999_999_999.99)]


class ProductUpdate(Strict):
    """Fields left out keep their value; null clears unit_weight_g."""

    name: Annotated[Name | None, NotNull] = None
    unit: Annotated[Unit | None, NotNull] = None
    pack_size: Annotated[Positive | None, NotNull] = None
    moq: Annotated[NonNegative | None, NotNull] = None
    lead_time_hours: Annotated[NonNegative | None, NotNull] = None
    unit_cost: Annotated[UnitCost | None, NotNull] = None
    unit_weight_g: Positive | None = None


class ProductCreate(ProductUpdate):
    id: Id
    name: Name


class StockPoint(BaseModel):
    id: int
    customer_id: str
    product_id: str
    capacity: float
    target_level: float | None
    service_level: float | None
    created_at: Instant


class StockPointUpdate(Strict):
    """Fields left out keep their value; null returns target_level and service_level to
    the segment's default."""

    capacity: Annotated[Positive | None, NotNull] = None
    target_level: Positive | None = None
    service_level: Annotated[float, Field(gt=0, lt=1)] | None = None


class StockPointCreate(StockPointUpdate):
    customer_id: Id
    product_id: Id
    capacity: Positive


class Sensor(BaseModel):
    id: str
    stock_point_id: int | None
    kind: str
    unit: str
    tare: float
    scale: float
    enabled: bool
    installed_at: Instant
    last_seen: Instant | None
    last_reading_at: Instant | None
    battery: float | None
    status: str
    status_changed_at: Instant | None
    created_at: Instant


def _not_zero(scale: float) -> float:
    if scale == 0:
        raise PydanticCustomError("scale", "cannot be 0 (quantity = (raw - tare) * scale)")
    return scale


Scale = Annotated[
    float,
    Field(ge=-1e9, le=1e9, json_schema_extra={"not": {"const": 0}}),
    AfterValidator(_not_zero),
]


class Calibration(Strict):
    """quantity = (raw - tare) * scale"""

    tare: Annotated[float, Field(ge=-1e9, le=1e9)] = 0.0
    scale: Scale = 1.0


class SensorRegister(Calibration):
    id: Id
    kind: SensorKind
    unit: Annotated[str, Field(min_length=1, max_length=16, pattern=r"^[^\x00]*$")]
    stock_point_id: BigId | None = None
    enabled: bool = True
    installed_at: OffsetDateTime | None = Field(
        default=None, description="Default: 2000-01-01T00:00:00Z"
    )


class Binding(Strict):
    stock_point_id: BigId | None
