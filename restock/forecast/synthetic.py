"""A small synthetic level generator for tests and for the benchmark's fallback.

Not a simulator (restock.simulators is): just enough realism to exercise forecasting —
a local hour-of-week demand pattern (shop hours, quiet Saturday, closed Sunday),
Poisson demand, visits that refill fully or partly, stockouts with lost demand, and a
sensor with noise, spikes, gaps and duplicate readings. Same output shape as
`restock.simulators.export.simulate_levels`.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pandas as pd

from restock.forecast.timegrid import hour_of_week


def weekly_pattern(rng: np.random.Generator) -> np.ndarray:
    """Relative demand per local hour-of-week, mean 1."""
    day = np.zeros(24)
    open_h, close_h = int(rng.integers(7, 11)), int(rng.integers(17, 22))
    day[open_h:close_h] = 1.0
    day[12:14] *= 1.0 + rng.uniform(0.0, 1.0)  # lunch peak
    week = np.concatenate([day * f for f in (1, 1, 1, 1, 1.1, rng.uniform(0.2, 0.8), 0.0)])
    week += 0.02  # a little at night
    return np.asarray(week / week.mean(), dtype=np.float64)


def simulate_levels(
    *,
    n_series: int,
    days: int,
    seed: int,
    start: datetime | None = None,
    time_zone: str = "Asia/Tokyo",
    noise: float = 0.005,
    spikes: float = 0.003,
    gaps: float = 0.02,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(observed, truth) for `n_series` hourly series over `days` days.

    observed: series_id, time (tz-aware UTC), level — noisy, with spikes, gaps, duplicates.
    truth: series_id, time, true_level, demand, lost_demand — demand is what customers
    wanted whether or not stock was there.
    """
    rng = np.random.default_rng(seed)
    start = start or datetime(2026, 9, 1, tzinfo=UTC)
    n = days * 24
    t0 = int(start.timestamp())
    times = t0 + 3600 * np.arange(n, dtype=np.int64)
    how = hour_of_week(times, time_zone)
    capacity = rng.choice([50.0, 100.0, 200.0, 500.0], size=n_series)
    per_week = capacity * rng.uniform(0.2, 0.9, size=n_series)  # demand per week
    patterns = np.stack([weekly_pattern(rng) for _ in range(n_series)])
    trend = 1.0 + rng.normal(0.0, 0.15, size=n_series)[:, None] * np.linspace(0, 1, n)
    mean = per_week[:, None] / 168.0 * patterns[:, how] * np.maximum(trend, 0.2)
    demand = rng.poisson(mean).astype(np.float64)
    visit_how = rng.integers(0, 5, size=n_series) * 24 + 10  # a weekday 10:00
    visit_every = rng.choice([1, 1, 1, 2], size=n_series)  # weeks between visits
    level = capacity * rng.uniform(0.5, 1.0, size=n_series)
    true_level = np.empty((n_series, n))
    lost = np.zeros((n_series, n))
    week_no = np.arange(n) // 168
    for i in range(n):
        visit = (how[i] == visit_how) & (week_no[i] % visit_every == 0)
        partial = rng.uniform(0.6, 1.0, size=n_series)
        level = np.where(
            visit & (level < 0.6 * capacity), np.maximum(level, capacity * partial), level
        )
        taken = np.minimum(level, demand[:, i])
        lost[:, i] = demand[:, i] - taken
        level = level - taken
        true_level[:, i] = level
    obs = true_level + rng.normal(0.0, 1.0, size=(n_series, n)) * noise * capacity[:, None]
    spike = rng.random((n_series, n)) < spikes
    obs[spike] += rng.choice([-1.0, 1.0], size=spike.sum()) * capacity[np.nonzero(spike)[0]] * 0.5
    keep = rng.random((n_series, n)) >= gaps
    ids = np.array([f"s{j:05d}" for j in range(n_series)])
    sid = np.repeat(ids, n)
    ts = np.tile(times, n_series)
    # a reading stamped at the end of the hour it closes
    observed = pd.DataFrame(
        {"series_id": sid, "time": ts + 3600, "level": np.maximum(obs, 0.0).ravel()}
    )
    observed = observed[keep.ravel()]
    dup = observed.sample(frac=0.01, random_state=seed)
    observed = pd.concat([observed, dup]).sort_values(["series_id", "time"], kind="stable")
    observed["time"] = pd.to_datetime(observed["time"], unit="s", utc=True)
    truth = pd.DataFrame(
        {
            "series_id": sid,
            "time": pd.to_datetime(ts, unit="s", utc=True),
            "true_level": true_level.ravel(),
            "demand": demand.ravel(),
            "lost_demand": lost.ravel(),
            "expected_demand": mean.ravel(),
        }
    )
    return observed.reset_index(drop=True), truth
