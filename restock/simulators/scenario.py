"""The scenario: who and what is simulated, as plain frozen types.

A scenario is read from a TOML file by `scenario_file.load_scenario`; the format is
documented in `scenarios/README.md` and shown by the shipped examples.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

SensorKind = Literal["shelf_weight", "shelf_count", "line_bin"]
DemandPattern = Literal["smooth", "intermittent", "lumpy"]
CustomerKind = Literal["shop", "restaurant", "clinic", "office", "factory"]

SENSOR_UNITS: dict[str, str] = {"shelf_weight": "g", "shelf_count": "count", "line_bin": "percent"}


@dataclass(frozen=True, slots=True, kw_only=True)
class Rep:
    id: str
    name: str
    depot_lat: float
    depot_lon: float
    time_zone: str = "Asia/Tokyo"


@dataclass(frozen=True, slots=True, kw_only=True)
class Customer:
    """A customer site. `opening_hours` maps ISO weekday (1 = Monday) to open intervals
    in local hours, e.g. {1: ((9.0, 18.0),)}; a missing weekday is closed.
    `holiday_factor` scales demand on Japanese public holidays (0 = closed)."""

    id: str
    name: str
    segment: Literal["A", "B", "C"]
    rep_id: str | None = None
    lat: float
    lon: float
    kind: CustomerKind = "shop"
    time_zone: str = "Asia/Tokyo"
    opening_hours: dict[int, tuple[tuple[float, float], ...]] = field(default_factory=dict)
    holiday_factor: float = 1.0
    visit_cadence_days: int | None = None
    service_minutes: int = 15


@dataclass(frozen=True, slots=True, kw_only=True)
class Product:
    id: str
    name: str
    unit: str = "pcs"
    pack_size: float = 1.0
    moq: float = 0.0
    lead_time_hours: float = 24.0
    unit_cost: float = 0.0
    unit_weight_g: float | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DemandSpec:
    """Demand at one stock point. `mean_daily` is the mean demand on an ordinary open
    day; `weekly` multiplies it per ISO weekday (Monday first); `trend_per_week` is a
    relative growth per week; promotions start at `promo_rate_per_month`, last
    `promo_days` and lift demand by `promo_lift`. `pattern`: smooth (Poisson with
    over-dispersion `dispersion`), intermittent (rare single units), lumpy (lots of
    `lot_size` pulled at once)."""

    pattern: DemandPattern = "smooth"
    mean_daily: float = 10.0
    weekly: tuple[float, ...] = (1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0)
    trend_per_week: float = 0.0
    promo_rate_per_month: float = 0.0
    promo_days: float = 3.0
    promo_lift: float = 1.8
    dispersion: float = 0.0
    lot_size: float = 1.0


@dataclass(frozen=True, slots=True, kw_only=True)
class SensorSpec:
    """A sensor watching one stock point. Calibration as stored in `sensors`:
    quantity = (raw − tare) × scale. `tare_error`/`scale_error` are how far the
    physical sensor is from that stored calibration (grams, relative)."""

    id: str
    kind: SensorKind
    tare: float = 0.0
    scale: float = 1.0
    interval_s: float = 3600.0
    jitter_s: float = 30.0
    noise: float = 0.0  # raw units (g, count flips probability, percent)
    tare_error: float = 0.0
    scale_error: float = 0.0
    battery_start: float = 1.0
    battery_per_day: float = 0.0

    @property
    def unit(self) -> str:
        return SENSOR_UNITS[self.kind]


@dataclass(frozen=True, slots=True, kw_only=True)
class RefillSpec:
    """A scripted baseline delivery: every `every_days` at local hour `at_hour`,
    fill up to `up_to` × capacity. `every_days = 0` means no scripted refills."""

    every_days: float = 0.0
    at_hour: float = 10.0
    up_to: float = 1.0
    offset_days: float = 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class StockPoint:
    customer_id: str
    product_id: str
    capacity: float
    start_level: float
    demand: DemandSpec
    sensor: SensorSpec
    refill: RefillSpec = RefillSpec()
    external_rate_per_month: float = 0.0  # restock from elsewhere (upward jumps)
    external_fraction: float = 0.3  # of capacity

    @property
    def series_id(self) -> str:
        return f"{self.customer_id}:{self.product_id}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Faults:
    """Fault rates for the whole scenario; a rate of 0 switches a fault off."""

    dropout_per_day: float = 0.0  # gaps start per sensor-day
    dropout_mean_hours: float = 4.0
    spike_prob: float = 0.0  # per reading
    spike_magnitude: float = 3.0  # × capacity-equivalent raw range
    stuck_per_day: float = 0.0
    stuck_mean_hours: float = 12.0
    drift_fraction: float = 0.0  # share of sensors drifting
    drift_per_day: float = 0.01  # × capacity-equivalent raw range per day
    skew_fraction: float = 0.0  # share of sensors with a skewed clock
    skew_max_s: float = 600.0
    duplicate_prob: float = 0.0
    out_of_order_prob: float = 0.0
    malformed_prob: float = 0.0
    offline_per_day: float = 0.0
    offline_mean_hours: float = 6.0
    backlog: bool = True  # gateways buffer while offline and send a JSON array after


@dataclass(frozen=True, slots=True, kw_only=True)
class Scenario:
    name: str
    description: str
    start: datetime | None
    reps: tuple[Rep, ...]
    customers: tuple[Customer, ...]
    products: tuple[Product, ...]
    stock_points: tuple[StockPoint, ...]
    faults: Faults = Faults()

    def customer(self, customer_id: str) -> Customer:
        """The customer with this id; raises KeyError naming it."""
        for customer in self.customers:
            if customer.id == customer_id:
                return customer
        raise KeyError(f"no customer {customer_id!r} in scenario {self.name!r}")

    def product(self, product_id: str) -> Product:
        """The product with this id; raises KeyError naming it."""
        for product in self.products:
            if product.id == product_id:
                return product
        raise KeyError(f"no product {product_id!r} in scenario {self.name!r}")

    @property
    def series_ids(self) -> list[str]:
        return [sp.series_id for sp in self.stock_points]
