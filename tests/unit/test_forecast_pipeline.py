"""One series end to end: the figures a planner sees are right on a known world."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from restock.forecast.pipeline import ForecastConfig, LevelSeries, forecast_series
from restock.forecast.timegrid import to_epoch

START = datetime(2026, 9, 7, tzinfo=UTC)  # a Monday
H = 3600


def steady(
    hours: int, rate: float, capacity: float = 200.0, refill_every: int = 72, seed: int = 0
) -> LevelSeries:
    """Poisson demand at `rate`/h around the clock, refilled to capacity every few days."""
    rng = np.random.default_rng(seed)
    level, out = capacity, []
    for h in range(hours):
        if h and h % refill_every == 0:
            level = capacity
        level = max(level - rng.poisson(rate), 0.0)
        out.append(level)
    times = to_epoch(START) + H * np.arange(1, hours + 1, dtype=np.int64)
    return LevelSeries(series_id="sp", times=times, levels=np.asarray(out), time_zone="UTC")


def test_median_stockout_is_level_over_rate() -> None:
    series = steady(24 * 30, rate=2.0, refill_every=100)
    f = forecast_series(series, config=ForecastConfig(horizon_hours=14 * 24))
    assert abs(f.rate_per_hour - 2.0) < 0.3
    expected = f.as_of + timedelta(hours=f.level / 2.0)
    assert f.stockout_p50 is not None
    assert abs((f.stockout_p50 - expected).total_seconds()) < 8 * H
    assert f.stockout_p10 is not None and f.stockout_p90 is not None
    assert f.stockout_p10 < f.stockout_p50 < f.stockout_p90
    assert abs(f.p_stockout_before(f.stockout_p50) - 0.5) < 0.02


def test_a_silent_sensor_does_not_freeze_the_level() -> None:
    series = steady(24 * 30, rate=1.0, refill_every=1000, capacity=800.0)
    last = int(series.times.max())
    later = last + 20 * H  # sensor silent for the last 20 hours
    f = forecast_series(series, as_of=later)
    last_level = float(series.levels[-1])
    assert abs(f.level - (last_level - 20.0)) < 6.0
    assert f.as_of == datetime.fromtimestamp(later, UTC)
    assert f.history_end == datetime.fromtimestamp(last, UTC)


def test_an_empty_bin_is_out_now() -> None:
    series = steady(24 * 20, rate=3.0, refill_every=10_000, capacity=300.0)  # empty by day 5
    f = forecast_series(series)
    assert f.level == 0.0
    assert f.stockout_p10 == f.stockout_p50 == f.as_of
    assert f.p_stockout_before(f.as_of + timedelta(hours=1)) == 1.0
