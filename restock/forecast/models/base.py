"""The one interface every forecasting model implements.

A model is a pure function `(History, horizon) -> expected consumption per future step`.
It may raise anything when it cannot fit; `run_model` then falls back to the model's
named fallback, so a failing model never kills a run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from restock.forecast.timegrid import HOURS_PER_WEEK, FloatArray, IntArray


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class History:
    """What a model sees: consumption per step (NaN = unknown) and the calendar.

    `hour_of_week` has len(consumption) + horizon entries: the past, then the future.
    `end` is the epoch second where the history stops (the forecast origin), `step` the
    grid step in seconds, `time_zone` the customer's zone, `demand_eps` the smallest
    consumption that counts as a demand event (noise level), for intermittent models.
    """

    consumption: FloatArray
    hour_of_week: IntArray
    end: int
    step: int = 3600
    time_zone: str = "Asia/Tokyo"
    demand_eps: float = 0.0

    @property
    def n(self) -> int:
        return len(self.consumption)

    def future_hour_of_week(self, horizon: int) -> IntArray:
        """Local hour-of-week of the next `horizon` steps."""
        have = self.hour_of_week[self.n : self.n + horizon]
        if len(have) == horizon:
            return have
        start = int(self.hour_of_week[self.n - 1]) + 1 if self.n else 0
        extra = (start + len(have) + np.arange(horizon - len(have))) % HOURS_PER_WEEK
        return np.concatenate((have, extra.astype(np.int64)))

    def truncated(self, n: int) -> History:
        """The same history cut after its first `n` steps (for rolling-origin backtests)."""
        return History(
            consumption=self.consumption[:n],
            hour_of_week=self.hour_of_week,
            end=self.end - (self.n - n) * self.step,
            step=self.step,
            time_zone=self.time_zone,
            demand_eps=self.demand_eps,
        )


ForecastFn = Callable[[History, int], FloatArray]
# The same model fitted at many origins at once: (history, origins, horizon) -> (k, horizon)
BatchFn = Callable[[History, IntArray, int], FloatArray]


@dataclass(frozen=True, slots=True, kw_only=True)
class Model:
    """A named forecasting function with its fallback and its relative cost.

    cost_ms: typical milliseconds per fit, used by the cost/benefit selection rule;
    max_origins: how many backtest origins selection may spend on it;
    batch_fn: an optional vectorised fit at many origins for backtests (same results).
    """

    name: str
    fn: ForecastFn
    fallback: str | None
    cost_ms: float
    max_origins: int = 14
    description: str = ""
    batch_fn: BatchFn | None = None


def weighted_mean(values: FloatArray, halflife: float) -> float:
    """Exponentially weighted mean of the non-NaN values, newest weighted most; NaN if none."""
    ok = ~np.isnan(values)
    if not ok.any():
        return float("nan")
    age = np.arange(len(values) - 1, -1, -1, dtype=np.float64)
    w = np.exp2(-age / halflife) * ok
    return float(np.sum(w * np.where(ok, values, 0.0)) / np.sum(w))
