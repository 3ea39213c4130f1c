"""Forecasting: levels → consumption → per-series model → stockout-time distribution.

Public API:
- `forecast_series(LevelSeries, as_of=..., config=...) -> SeriesForecast` (pure)
- `SeriesForecast.p_stockout_before(when)`, `.stockout_p10/p50/p90`, `.level`, `.rate_per_hour`
- `forecast_many(...)` runs many series over a process pool (see `batch`)
- `run_forecast_job(database_url, as_of=...)` (see `job`) writes the `forecasts` table
- `p_stockout_before(row_cdf, step_hours, as_of, when)` for rows read back from the table
"""

from __future__ import annotations

from restock.forecast.consumption import CleaningConfig, Consumption, to_consumption
from restock.forecast.depletion import Depletion
from restock.forecast.errors import BadLevelsError, ForecastError, UnknownModelError
from restock.forecast.pipeline import ForecastConfig, LevelSeries, SeriesForecast, forecast_series
from restock.forecast.selection import SelectionConfig

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
    "UnknownModelError",
    "forecast_series",
    "to_consumption",
]
