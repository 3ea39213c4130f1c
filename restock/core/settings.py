"""restock's configuration: one `Settings`, built once at start-up and passed down.

Every field can be set by an environment variable with the `RESTOCK_` prefix
(`RESTOCK_DATABASE_URL`, `RESTOCK_MQTT_URL`, ...) or in a `.env` file.
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RESTOCK_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default="postgresql://postgres@127.0.0.1:5432/restock",
        description="libpq URL of the PostgreSQL/TimescaleDB database.",
    )
    mqtt_url: str = Field(
        default="mqtt://127.0.0.1:1883",
        description="Broker URL, mqtt://[user[:password]@]host[:port].",
    )
    mqtt_protocol: Literal["5", "3.1.1"] = Field(
        default="5", description="MQTT 5 (shared subscriptions, session expiry) or 3.1.1."
    )
    mqtt_client_id: str = Field(
        default="restock-ingest-1",
        description="Stable client id: the broker keeps this worker's session under it.",
    )
    mqtt_share_group: str = Field(
        default="restock-ingest",
        description="Shared-subscription group ('' subscribes directly; MQTT 5 only).",
    )
    mqtt_topic_prefix: str = Field(default="restock/v1", description="Root of every topic.")
    mqtt_session_expiry_s: int = Field(
        default=7 * 24 * 3600,
        ge=0,
        description="How long the broker keeps an absent worker's session and messages.",
    )
    mqtt_keepalive_s: int = Field(default=30, ge=5, description="MQTT keepalive.")

    ingest_batch_size: int = Field(default=5000, ge=1, description="Messages per commit, at most.")
    ingest_batch_interval_s: float = Field(
        default=0.2, gt=0, description="Longest wait before committing a partial batch."
    )
    ingest_queue_size: int = Field(
        default=20_000, ge=10, description="Bound of the queue between network and writer."
    )
    ingest_max_payload_bytes: int = Field(
        default=256 * 1024, ge=64, description="Larger messages are rejected as oversize."
    )
    ingest_max_future_s: float = Field(
        default=300.0, ge=0, description="Readings stamped further ahead are rejected."
    )
    ingest_absurd_factor: float = Field(
        default=3.0, gt=1, description="Quantities above capacity times this are rejected."
    )
    ingest_max_array_elements: int = Field(
        default=10_000,
        ge=1,
        description="A gateway array with more readings is one rejection (a day of minute"
        " readings is 1,440; a 256 KiB payload holds about 6,000).",
    )
    ingest_max_bad_elements: int = Field(
        default=100,
        ge=0,
        description="Beyond this many bad readings in one array, they are kept as one"
        " rejection (the whole message, counts by reason in its detail).",
    )
    ingest_retry_max_s: float = Field(
        default=10.0, gt=0, description="Longest pause between database retries."
    )

    metrics_host: str = Field(default="127.0.0.1", description="Prometheus endpoint address.")
    metrics_port: int = Field(
        default=9108, ge=0, le=65535, description="Prometheus endpoint port (0: any free one)."
    )

    log_level: str = Field(default="INFO", description="DEBUG, INFO, WARNING, ERROR.")

    api_host: str = Field(default="127.0.0.1", description="Address `restock serve` binds.")
    api_port: int = Field(default=8000, ge=0, le=65535, description="Port `restock serve` binds.")
    api_pool_min: int = Field(default=2, ge=1, description="API database pool, minimum size.")
    api_pool_max: int = Field(default=10, ge=1, description="API database pool, maximum size.")
    api_page_max: int = Field(default=1000, ge=1, description="Largest page a list returns.")
    api_db_wait_s: float = Field(
        default=3.0,
        gt=0,
        le=60,
        description="How long a request waits for a database connection before answering 503.",
    )
    api_blocking_pool_max: int = Field(
        default=4,
        ge=1,
        description="API pool for routes running replenishment's blocking code, maximum size.",
    )

    schedule_forecast_s: float = Field(default=3600.0, gt=0, description="Forecast interval.")
    schedule_replenish_s: float = Field(
        default=3600.0, gt=0, description="Replenishment (draft orders, triggers) interval."
    )
    schedule_dispatch_s: float = Field(default=60.0, gt=0, description="Trigger dispatch interval.")
    schedule_offline_sweep_s: float = Field(
        default=300.0, gt=0, description="Offline-sensor sweep interval."
    )
    schedule_routes_s: float = Field(
        default=3600.0,
        gt=0,
        description="How often the scheduler looks for reps whose route for the day is"
        " not planned yet (each day's route is planned once).",
    )
    schedule_run_timeout_s: float = Field(
        default=3 * 3600.0,
        gt=0,
        description="A job run still going after this long is presumed hung: another"
        " scheduler ends its session and runs the slot again.",
    )
    schedule_misfire_grace_s: float = Field(
        default=3600.0, gt=0, description="How late a missed run may still start (once)."
    )
    sensor_offline_after_s: float = Field(
        default=3 * 3600.0, gt=0, description="Silence after which a sensor is marked offline."
    )
    schedule_forecast_workers: int | None = Field(
        default=None, ge=1, description="Forecast processes (default: one per core)."
    )
    trigger_webhook_url: str = Field(
        default="", description="POST each visit trigger here too ('' for MQTT only)."
    )
    trigger_drop_ratio: float = Field(
        default=0.5,
        gt=0,
        lt=1,
        description="Consumption below this share of the stock point's own baseline raises"
        " a consumption-drop (churn risk) trigger.",
    )
    trigger_rise_fraction: float = Field(
        default=0.2,
        gt=0,
        description="A rise of this share of capacity with no delivery raises a trigger.",
    )
    trigger_low_battery: float = Field(
        default=0.15, ge=0, le=1, description="A battery below this (0..1) raises a trigger."
    )
    trigger_proposal_days: float = Field(
        default=14.0,
        gt=0,
        description="How long a rep has to propose a larger shelf (shelf_too_small).",
    )
    trigger_bad_data_messages: int = Field(
        default=10,
        ge=1,
        description="A sensor with at least this many messages rejected since its newest"
        " accepted reading (and none accepted for trigger_bad_data_hours) raises a"
        " sensor-bad-data trigger; its stock points are not approved by rule.",
    )
    trigger_bad_data_hours: float = Field(
        default=6.0,
        gt=0,
        description="How long without an accepted reading before rejected messages raise"
        " a sensor-bad-data trigger.",
    )
    scheduler_metrics_port: int = Field(
        default=9109, ge=0, le=65535, description="`restock schedule` Prometheus port (0: any)."
    )

    pages_session_hours: float = Field(
        default=12.0, gt=0, description="How long a sign-in to the pages lasts."
    )
    pages_secure_cookie: bool = Field(
        default=False,
        description="Mark the pages' session cookie Secure (set when served over HTTPS).",
    )
    pages_sign_in_attempts: int = Field(
        default=5,
        ge=1,
        description="Failed sign-ins per user name, and per address, before sign-in pauses.",
    )
    pages_sign_in_window_s: float = Field(
        default=900.0, gt=0, description="The window failed sign-ins are counted over."
    )
    pages_map_tile_url: str = Field(
        default="",
        description="Optional map tiles under the rep's route map, e.g."
        " https://tiles.example/{z}/{x}/{y}.png ('' draws the route on a plain background).",
    )

    replenish_service_levels: dict[str, float] = Field(
        default={"A": 0.99, "B": 0.97, "C": 0.95},
        description="Per customer segment, the target P(no stockout before the next possible"
        ' delivery), as JSON: {"A": 0.99, "B": 0.97, "C": 0.95}.',
    )
    replenish_cadence_days: dict[str, int] = Field(
        default={"A": 7, "B": 30, "C": 90},
        description="Per segment, the regular visit interval of a customer that sets none.",
    )
    replenish_cadence_segments: list[str] = Field(
        default=["A"],
        description="Segments whose customers are visited every cadence even with nothing"
        " to deliver (relationship visits), as JSON.",
    )
    replenish_segment_priority: dict[str, int] = Field(
        default={"A": 30, "B": 15, "C": 0},
        description="Per segment, what it adds to the priority of its customers' visit"
        " triggers, as JSON.",
    )
    replenish_review_hours: float = Field(
        default=24.0, gt=0, description="How far apart the policy assumes order decisions are."
    )
    replenish_consolidate_hours: float = Field(
        default=144.0,
        ge=0,
        description="How far past the review after a delivery the customer's next trip is"
        " looked for: lines that cannot last until it ride on the delivery.",
    )
    replenish_pull_forward_hours: float = Field(
        default=120.0, ge=0, description="Lines due this soon after a planned visit go on it."
    )
    replenish_min_order_fraction: float = Field(
        default=0.35,
        ge=0,
        le=1,
        description="A line at risk ordering less than this share of its target waits,"
        " unless its median stockout is near.",
    )
    replenish_max_forecast_age_h: float = Field(
        default=36.0, gt=0, description="Stock points with an older forecast are skipped."
    )

    @field_validator("database_url")
    @classmethod
    def _postgres_url(cls, value: str) -> str:
        if not value.startswith(("postgresql://", "postgres://")):
            raise ValueError("database_url must start with postgresql://")
        return value

    @field_validator("mqtt_url")
    @classmethod
    def _mqtt_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("mqtt", "tcp") or not parts.hostname:
            raise ValueError("mqtt_url must look like mqtt://host[:port]")
        return value

    @property
    def mqtt_host(self) -> str:
        return urlsplit(self.mqtt_url).hostname or "127.0.0.1"

    @property
    def mqtt_port(self) -> int:
        return urlsplit(self.mqtt_url).port or 1883

    @property
    def mqtt_username(self) -> str | None:
        return urlsplit(self.mqtt_url).username

    @property
    def mqtt_password(self) -> str | None:
        return urlsplit(self.mqtt_url).password
