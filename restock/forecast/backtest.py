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

from restock.forecast.models import History, get_model, run_model
from restock.forecast.timegrid import FloatArray

HORIZONS = np.array([3, 6, 12, 18, 24, 36, 48, 72, 96, 120, 144, 168, 240, 336], dtype=np.int64)
ORIGIN_SPACING = 24
MIN_TRAIN = 7 * 24


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Backtest:
    """Log-ratio errors log((actual + eps) / (forecast + eps)) of one model on one series.

    `errors` has one row per origin (newest first) and one column per `HORIZONS`
    entry, NaN where the origin is too recent to see that far. `eps` is the additive
    guard (about one step's demand when there is demand) that keeps quiet hours from
    dominating.
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
    """The size of a typical step with demand, the eps of the log ratios: the
    demand-weighted mean of the steps' consumption (Σy²/Σy). For steady demand about
    a step's mean; for intermittent demand about one purchase, not the hourly mean —
    with the hourly mean, a window holding a single purchase looked like a
    twentyfold error and a shelf with weeks of stock got a double-digit P(stockout
    within a day)."""
    y = np.abs(history.consumption[~np.isnan(history.consumption)])
    total = float(np.sum(y))
    return max(float(np.sum(y**2)) / total if total > 0 else 0.0, 1e-6)


def origins(n: int, max_origins: int, first: int = 0) -> list[int]:
    """Backtest origins (indexes into the history), newest first, each with at least
    MIN_TRAIN bins after `first` (the first observed bin) to learn from."""
    out: list[int] = []
    k = 1
    while len(out) < max_origins and n - k * ORIGIN_SPACING - first >= MIN_TRAIN:
        out.append(n - k * ORIGIN_SPACING)
        k += 1
    return out


def backtest(
    model: str, history: History, *, max_origins: int = 14, series_id: str = ""
) -> Backtest:
    """Rolling-origin log-ratio errors of `model` on `history` (see Backtest)."""
    eps = demand_scale(history)
    # the history window is fixed; a young series is NaN before its first reading, and
    # an origin with nothing to learn from would calibrate the errors on noise
    observed = np.flatnonzero(~np.isnan(history.consumption))
    first = int(observed[0]) if len(observed) else history.n
    at = np.asarray(origins(history.n, max_origins, first), dtype=np.int64)
    if len(at) == 0:
        return Backtest(model=model, errors=np.zeros((0, len(HORIZONS))), eps=eps)
    reach = np.minimum(history.n - at, int(HORIZONS[-1]))  # how far each origin can see
    width = int(reach.max())
    pred = np.zeros((len(at), width))
    batch = get_model(model).batch_fn
    if batch is not None:
        pred[:] = batch(history, at, width)
    else:
        for row, o in enumerate(at):
            h = int(reach[row])
            _, pred[row, :h] = run_model(model, history.truncated(int(o)), h, series_id=series_id)
    cols = np.arange(width)
    inside = cols[None, :] < reach[:, None]
    actual = history.consumption[np.minimum(at[:, None] + cols[None, :], history.n - 1)]
    # hours whose demand is unknown count as forecast: no evidence either way
    actual = np.where(np.isnan(actual) | ~inside, pred, actual)
    h_idx = HORIZONS[width >= HORIZONS] - 1
    cum_a = np.maximum(np.cumsum(actual, axis=1)[:, h_idx], 0.0)
    cum_p = np.maximum(np.cumsum(pred, axis=1)[:, h_idx], 0.0)
    errors = np.full((len(at), len(HORIZONS)), np.nan)
    seen = HORIZONS[width >= HORIZONS][None, :] <= reach[:, None]
    errors[:, : len(h_idx)] = np.where(seen, np.log((cum_a + eps) / (cum_p + eps)), np.nan)
    return Backtest(model=model, errors=errors, eps=eps)
