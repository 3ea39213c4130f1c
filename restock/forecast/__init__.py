"""Forecasting: levels → consumption → per-series model → stockout-time distribution.

Public API (pure, no I/O):
- `forecast_series(LevelSeries, as_of=epoch_s, config=ForecastConfig()) -> SeriesForecast`
  with `.level`, `.rate_per_hour`, `.stockout_p10/p50/p90` (None beyond the horizon),
  `.model` and `.p_stockout_before(when)`.
- `StoredForecast` (a row of the `forecasts` table) with `.p_stockout_before(when)`, and
  `p_stockout_before(cdf, step_hours, as_of, when)` for the bare columns.

With I/O: `restock.forecast.job.run_forecast_job(database_url, as_of=...)` fills the
`forecasts` table; `restock.forecast.job.load_forecasts(database_url, as_of)` reads the
newest forecast per stock point; `restock.forecast.batch.forecast_many` runs many
series over a process pool.
"""

from __future__ import annotations

from restock.forecast.consumption import CleaningConfig, Consumption, to_consumption
from restock.forecast.depletion import Depletion
from restock.forecast.errors import BadLevelsError, ForecastError, UnknownModelError
from restock.forecast.pipeline import ForecastConfig, LevelSeries, SeriesForecast, forecast_series
from restock.forecast.selection import SelectionConfig
from restock.forecast.stored import StoredForecast, p_stockout_before

__all__ = [
    "BadLevelsError",
    "CleaningConfig",
    "Consumption",
    "Depletion",
    "ForecastConfig",
    "ForecastError",
    "LevelSeries",
    "SelectionConfig",
    "SeriesForecast",
    "StoredForecast",
    "UnknownModelError",
    "forecast_series",
    "p_stockout_before",
    "to_consumption",
]
