"""Rolling-origin backtests of cumulative consumption, the errors that calibrate depletion.

From origins one day apart, going back from the end of the history, each model is
refitted on the data before the origin and its cumulative consumption forecast is
compared with what was consumed. Errors are log ratios of actual to forecast
cumulative consumption at a grid of horizons: they are what the stockout time
depends on, and their spread (not summed hourly quantiles) gives the intervals.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from restock.forecast.models import History, run_model
from restock.forecast.timegrid import FloatArray

HORIZONS = np.array([3, 6, 12, 18, 24, 36, 48, 72, 96, 120, 144, 168, 240, 336], dtype=np.int64)
ORIGIN_SPACING = 24
MIN_TRAIN = 7 * 24


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Backtest:
    """Log-ratio errors log((actual + eps) / (forecast + eps)) of one model on one series.

    `errors` has one row per origin (newest first) and one column per `HORIZONS`
    entry, NaN where the origin is too recent to see that far. `eps` is the additive
    guard (about an hour of demand) that keeps quiet hours from dominating.
    """

    model: str
    errors: FloatArray
    eps: float

    def score(self) -> float:
        """Mean absolute log error over horizons of 6 h and more; inf if none."""
        usable = self.errors[:, HORIZONS >= 24]
        vals = usable[~np.isnan(usable)]
        return float(np.mean(np.abs(vals))) if len(vals) else float("inf")


def demand_scale(history: History) -> float:
    """About one step of typical demand: the eps of the log ratios."""
    y = history.consumption
    ok = y[~np.isnan(y)]
    return max(float(np.mean(np.abs(ok))) if len(ok) else 0.0, 1e-6)


def origins(n: int, max_origins: int) -> list[int]:
    """Backtest origins (indexes into the history), newest first."""
    out: list[int] = []
    k = 1
    while len(out) < max_origins and n - k * ORIGIN_SPACING >= MIN_TRAIN:
        out.append(n - k * ORIGIN_SPACING)
        k += 1
    return out


def backtest(
    model: str, history: History, *, max_origins: int = 14, series_id: str = ""
) -> Backtest:
    """Rolling-origin log-ratio errors of `model` on `history` (see Backtest)."""
    eps = demand_scale(history)
    origin_list = origins(history.n, max_origins)
    errors = np.full((len(origin_list), len(HORIZONS)), np.nan)
    max_h = int(HORIZONS[-1])
    for row, o in enumerate(origin_list):
        h = min(history.n - o, max_h)
        past = history.truncated(o)
        _, pred = run_model(model, past, h, series_id=series_id)
        actual = history.consumption[o : o + h]
        # hours whose demand is unknown count as forecast: no evidence either way
        actual = np.where(np.isnan(actual), pred, actual)
        reach = HORIZONS[h >= HORIZONS]
        cum_a = np.cumsum(actual)[reach - 1]
        cum_p = np.cumsum(pred)[reach - 1]
        errors[row, : len(reach)] = np.log((np.maximum(cum_a, 0.0) + eps) / (cum_p + eps))
    return Backtest(model=model, errors=errors, eps=eps)
