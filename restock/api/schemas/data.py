"""Readings, forecasts, rejected messages and tokens as the API shows them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class ReadingBucket(BaseModel):
    time: datetime
    quantity: float
    min: float
    max: float
    readings: int


class ReadingChart(BaseModel):
    start: datetime
    end: datetime
    bucket_seconds: int
    points: list[ReadingBucket]


class Forecast(BaseModel):
    stock_point_id: int
    customer_id: str
    product_id: str
    as_of: datetime
    model: str
    level: float
    rate_per_hour: float
    stockout_p10: datetime | None
    stockout_p50: datetime | None
    stockout_p90: datetime | None
    p_stockout_lead_time: float | None
    p_stockout_next_visit: float | None
    horizon_hours: int
    history_start: datetime
    history_end: datetime


class RejectedMessage(BaseModel):
    id: int
    received_at: datetime
    topic: str
    payload: str
    payload_bytes: int
    reason: str
    detail: str
    sensor_id: str | None
    replayed_at: datetime | None


class RejectionCount(BaseModel):
    reason: str
    pending: int
    total: int
