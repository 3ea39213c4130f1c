"""Readings, forecasts, rejected messages and tokens as the API shows them."""

from __future__ import annotations

from pydantic import BaseModel

from restock.api.schemas.times import Instant


class ReadingBucket(BaseModel):
    time: Instant
    quantity: float
    min: float
    max: float
    readings: int


class ReadingChart(BaseModel):
    start: Instant
    end: Instant
    bucket_seconds: int
    points: list[ReadingBucket]


class Forecast(BaseModel):
    stock_point_id: int
    customer_id: str
    product_id: str
    as_of: Instant
    model: str
    level: float
    rate_per_hour: float
    stockout_p10: Instant | None
    stockout_p50: Instant | None
    stockout_p90: Instant | None
    p_stockout_lead_time: float | None
    p_stockout_next_visit: float | None
    horizon_hours: int
    history_start: Instant
    history_end: Instant


class RejectedMessage(BaseModel):
    id: int
    received_at: Instant
    topic: str
    payload: str
    payload_bytes: int
    reason: str
    detail: str
    sensor_id: str | None
    replayed_at: Instant | None


class RejectionCount(BaseModel):
    reason: str
    pending: int
    total: int
