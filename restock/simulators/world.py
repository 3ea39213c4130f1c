"""The simulated world: stock points consumed hour by hour, refilled by deliveries.

Everything random (demand, customers' own restocks, sensor sampling, faults) is drawn
when the world is created, from `seed`, for the whole horizon; stepping only applies
deliveries, which may depend on what the rest of restock does (closed loop). Same
scenario, seed, start and horizon ⇒ identical truth and readings, whatever the steps.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd

from restock.simulators.calendar import activity
from restock.simulators.deliveries import DeliverySource, NoDeliveries
from restock.simulators.demand import draw_demand, expected_demand, promotions
from restock.simulators.errors import HorizonError
from restock.simulators.faults import plan_faults
from restock.simulators.readings import Readings, plan_readings, str_take
from restock.simulators.scenario import Scenario

_HOUR = timedelta(hours=1)

# Independent random streams, so adding a fault kind leaves demand unchanged.
STREAM_DEMAND, STREAM_EXTERNAL, STREAM_SENSORS, STREAM_FAULTS = 1, 2, 3, 4


def floor_hour(when: datetime) -> datetime:
    """`when` in UTC, truncated to the hour; raises ValueError for a naive datetime."""
    if when.tzinfo is None:
        raise ValueError(f"naive datetime {when.isoformat()}: the simulator needs aware times")
    return when.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


class World:
    """Stock points over `days` from `start` (truncated to the hour, UTC).

    Truth arrays are (stock point, hour): `level[:, h]` is the level at hour h;
    `demand`, `lost`, `delivered`, `external`, `overflow` are totals within hour h.
    """

    def __init__(self, scenario: Scenario, *, seed: int, start: datetime, days: float) -> None:
        if days <= 0:
            raise ValueError(f"days must be positive, got {days}")
        self.scenario = scenario
        self.seed = seed
        self.start = floor_hour(start)
        self.n_hours = math.ceil(days * 24)
        self.index = {sp.series_id: i for i, sp in enumerate(scenario.stock_points)}
        n_sp = len(scenario.stock_points)
        self.capacity = np.array([sp.capacity for sp in scenario.stock_points])
        self.hours = pd.date_range(self.start, periods=self.n_hours, freq="h", tz="UTC")
        self.demand = np.zeros((n_sp, self.n_hours))
        self.promotions: dict[str, list[tuple[float, float, float]]] = {}
        self._draw_demand()
        self.external = self._draw_external(np.random.default_rng([seed, STREAM_EXTERNAL]))
        self.level = np.zeros((n_sp, self.n_hours + 1))
        self.level[:, 0] = np.minimum(
            [sp.start_level for sp in scenario.stock_points], self.capacity
        )
        self.lost = np.zeros_like(self.demand)
        self.delivered = np.zeros_like(self.demand)
        self.overflow = np.zeros_like(self.demand)
        self.deliveries_log: list[tuple[str, datetime, float, str]] = []
        self.hour = 0  # hours simulated so far
        horizon_s = self.n_hours * 3600.0
        self.plan = plan_readings(
            scenario,
            self.start,
            horizon_s,
            np.random.default_rng([seed, STREAM_SENSORS]),
            lambda phys, sensor, t: plan_faults(
                scenario, phys, sensor, t, horizon_s, np.random.default_rng([seed, STREAM_FAULTS])
            ),
        )

    def _draw_demand(self) -> None:
        by_customer: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for i, sp in enumerate(self.scenario.stock_points):
            if sp.customer_id not in by_customer:
                customer = self.scenario.customer(sp.customer_id)
                by_customer[sp.customer_id] = activity(customer, self.hours)
            act, weekday = by_customer[sp.customer_id]
            rng = np.random.default_rng([self.seed, STREAM_DEMAND, i])
            promos = promotions(sp.demand, self.n_hours, rng)
            self.promotions[sp.series_id] = [(p.start_hour, p.end_hour, p.lift) for p in promos]
            self.demand[i] = draw_demand(
                sp.demand, expected_demand(sp.demand, act, weekday, promos), rng
            )

    def _draw_external(self, rng: np.random.Generator) -> np.ndarray:
        """Customers' own restocks / stock moved in: upward jumps with no delivery."""
        out = np.zeros((len(self.scenario.stock_points), self.n_hours))
        for i, sp in enumerate(self.scenario.stock_points):
            count = rng.poisson(sp.external_rate_per_month * self.n_hours / (30 * 24))
            hours = rng.integers(0, self.n_hours, size=count)
            sizes = sp.external_fraction * sp.capacity * rng.uniform(0.5, 1.5, size=count)
            np.add.at(out[i], hours, np.round(sizes))
        return out

    @property
    def now(self) -> datetime:
        """Simulated time reached: every hour before it has been stepped."""
        return self.start + self.hour * _HOUR

    @property
    def end(self) -> datetime:
        return self.start + self.n_hours * _HOUR

    def levels(self) -> dict[str, float]:
        """True level of each stock point at `now`, by series id."""
        return {sid: float(self.level[i, self.hour]) for sid, i in self.index.items()}

    def advance(self, until: datetime, source: DeliverySource | None = None) -> Readings:
        """Step whole hours up to `until` (rounded down to the hour, at most `end`),
        applying the deliveries `source` reports for each step. Returns the readings
        sampled in the stepped period. Raises HorizonError if `until` is past `end`
        or before `now`, KeyError for a delivery to an unknown series."""
        target = floor_hour(until)
        if target > self.end or target < self.now:
            raise HorizonError(
                f"cannot advance to {target.isoformat()}: world runs "
                f"{self.now.isoformat()}..{self.end.isoformat()}"
            )
        src = source or NoDeliveries()
        first = self.hour
        while self.now < target:
            self._step(src)
        return self.plan.materialise(self.level, first * 3600.0, self.hour * 3600.0)

    def run(self, source: DeliverySource | None = None) -> Readings:
        """Step to the end of the horizon; returns all readings."""
        return self.advance(self.end, source)

    def _step(self, source: DeliverySource) -> None:
        h = self.hour
        level = self.level[:, h] + self.external[:, h]
        for d in source.deliveries(self.now, self.now + _HOUR):
            i = self.index.get(d.series_id)
            if i is None:
                raise KeyError(f"delivery {d.ref!r} for unknown series {d.series_id!r}")
            qty = max(d.up_to - level[i], 0.0) if d.up_to is not None else d.quantity
            level[i] += qty
            self.delivered[i, h] += qty
            self.deliveries_log.append((d.series_id, d.at, qty, d.ref))
        over = np.maximum(level - self.capacity, 0.0)
        self.overflow[:, h] = over
        level -= over
        taken = np.minimum(self.demand[:, h], level)
        self.lost[:, h] = self.demand[:, h] - taken
        self.level[:, h + 1] = level - taken
        self.hour += 1

    def truth(self) -> pd.DataFrame:
        """Hourly ground truth of the stepped hours: series_id, time, true_level (at the
        hour), demand, lost_demand, delivered, external, overflow (within the hour)."""
        h = self.hour
        n_sp = len(self.index)
        return pd.DataFrame(
            {
                "series_id": str_take(tuple(self.index), np.repeat(np.arange(n_sp), h)),
                "time": pd.DatetimeIndex(
                    np.tile(self.hours[:h].tz_localize(None).to_numpy(), n_sp)
                ).tz_localize("UTC"),
                "true_level": self.level[:, :h].ravel(),
                "demand": self.demand[:, :h].ravel(),
                "lost_demand": self.lost[:, :h].ravel(),
                "delivered": self.delivered[:, :h].ravel(),
                "external": self.external[:, :h].ravel(),
                "overflow": self.overflow[:, :h].ravel(),
            }
        )
