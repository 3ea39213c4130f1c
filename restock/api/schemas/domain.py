"""Customers, reps, products, stock points and sensors as the API shows them."""

from __future__ import annotations

from datetime import datetime, time
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, WithJsonSchema

Id = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
Lat = Annotated[float, Field(ge=-90, le=90)]
Lon = Annotated[float, Field(ge=-180, le=180)]
Segment = Literal["A", "B", "C"]
# A wall-clock time in the customer's or rep's own time zone ("09:00"): no UTC offset,
# so not JSON Schema's `time` format, which requires one.
LocalTime = Annotated[
    time,
    PlainSerializer(lambda t: t.isoformat(timespec="minutes"), return_type=str),
    WithJsonSchema({"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$"}),
]
Positive = Annotated[float, Field(gt=0, le=1e12)]
NonNegative = Annotated[float, Field(ge=0, le=1e12)]
Name = Annotated[str, Field(min_length=1, max_length=200)]
TimeZone = Annotated[str, Field(min_length=1, max_length=64)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Customer(BaseModel):
    id: str
    name: str
    segment: str
    rep_id: str | None
    lat: float
    lon: float
    time_zone: str
    opening_hours: dict[str, Any]
    visit_window_start: LocalTime | None
    visit_window_end: LocalTime | None
    visit_cadence_days: int | None
    service_minutes: int
    created_at: datetime


class CustomerUpdate(Strict):
    name: Name | None = None
    segment: Segment | None = None
    rep_id: Id | None = None
    lat: Lat | None = None
    lon: Lon | None = None
    visit_cadence_days: Annotated[int, Field(gt=0, le=3650)] | None = None
    service_minutes: Annotated[int, Field(ge=0, le=1440)] | None = None


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
    work_start: LocalTime
    work_end: LocalTime
    work_days: list[int]
    time_zone: str
    created_at: datetime


class RepUpdate(Strict):
    name: Name | None = None
    depot_lat: Lat | None = None
    depot_lon: Lon | None = None
    work_days: Annotated[list[Annotated[int, Field(ge=1, le=7)]], Field(max_length=7)] | None = None


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
    created_at: datetime


class ProductUpdate(Strict):
    name: Name | None = None
    unit: Annotated[str, Field(min_length=1, max_length=32)] | None = None
    pack_size: Positive | None = None
    moq: NonNegative | None = None
    lead_time_hours: NonNegative | None = None
    unit_cost: Annotated[float, Field(ge=0, le=1e9)] | None = None
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
    created_at: datetime


class StockPointUpdate(Strict):
    capacity: Positive | None = None
    target_level: Positive | None = None
    service_level: Annotated[float, Field(gt=0, lt=1)] | None = None


class StockPointCreate(StockPointUpdate):
    customer_id: Id
    product_id: Id
    capacity: Positive


SensorKind = Literal["shelf_weight", "shelf_count", "line_bin"]


class Sensor(BaseModel):
    id: str
    stock_point_id: int | None
    kind: str
    unit: str
    tare: float
    scale: float
    enabled: bool
    installed_at: datetime
    last_seen: datetime | None
    last_reading_at: datetime | None
    battery: float | None
    status: str
    status_changed_at: datetime | None
    created_at: datetime


class Calibration(Strict):
    """quantity = (raw - tare) * scale"""

    tare: Annotated[float, Field(ge=-1e9, le=1e9)] = 0.0
    scale: Annotated[float, Field(ge=-1e9, le=1e9)] = 1.0


class SensorRegister(Calibration):
    id: Id
    kind: SensorKind
    unit: Annotated[str, Field(min_length=1, max_length=16)]
    stock_point_id: Annotated[int, Field(ge=1, le=2**62)] | None = None
    enabled: bool = True
    installed_at: datetime | None = None


class Binding(Strict):
    stock_point_id: Annotated[int, Field(ge=1, le=2**62)] | None
