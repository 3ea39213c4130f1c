"""When will the stock run out: a distribution of depletion times from cumulative errors.

The expected cumulative consumption P(t) comes from the chosen model. The backtest
gives, per horizon, log ratios of actual to forecast cumulative consumption; these
are summarised as a Student-t location/scale per horizon (few origins → heavy tails)
and interpolated over log-horizon. Then

    P(stockout by t) = P(actual cumulative(t) ≥ level) = P(err(t) ≥ log((level+eps)/(P(t)+eps)))

which is made non-decreasing in t. Quantiles of the stockout time are read off this
CDF, so P10/P50/P90 and P(stockout before T) always agree with each other.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import stdtr

from restock.forecast.backtest import HORIZONS
from restock.forecast.timegrid import FloatArray

MIN_SAMPLES = 3
DEFAULT_SD = 0.35  # log-ratio spread used before a series has any backtest
SD_FLOOR = 0.03
SD_INFLATE = 1.4  # origins a day apart overlap: their spread understates the error


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Depletion:
    """Stockout-time distribution on the grid after the origin.

    cdf[i] = P(stockout within i steps of the origin), i = 0 … horizon; cdf[0] is 1 when
    the stock is already out, else 0. `step_hours` is the grid step.
    """

    cdf: FloatArray
    step_hours: float = 1.0

    @property
    def horizon_hours(self) -> float:
        return (len(self.cdf) - 1) * self.step_hours

    def p_before(self, hours: float) -> float:
        """P(stockout within `hours` of the origin), interpolated between grid points.

        Beyond the horizon the value at the horizon is returned (a lower bound).
        """
        grid = np.arange(len(self.cdf), dtype=np.float64) * self.step_hours
        return float(np.interp(max(hours, 0.0), grid, self.cdf))

    def quantile(self, q: float) -> float | None:
        """Hours from the origin until P(stockout) reaches q; None beyond the horizon."""
        above = np.flatnonzero(self.cdf >= q)
        if len(above) == 0:
            return None
        i = int(above[0])
        if i == 0:
            return 0.0
        lo, hi = self.cdf[i - 1], self.cdf[i]
        frac = (q - lo) / (hi - lo) if hi > lo else 1.0
        return float((i - 1 + frac) * self.step_hours)


def error_model(errors: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Per-HORIZONS location, scale and degrees of freedom from backtest log ratios.

    The location stays 0: the median cumulative demand is taken to be the forecast.
    Shifting it by the mean backtest bias made stockout times worse on benchmark data
    (lumpy demand: most windows under the mean, a few far over it).

    Horizons with fewer than MIN_SAMPLES errors borrow from the nearest shorter horizon
    that has them (or a default spread when none has).
    """
    k = len(HORIZONS)
    loc, scale, dof = np.zeros(k), np.full(k, DEFAULT_SD), np.full(k, 2.0)
    have = False
    for j in range(k):
        col = errors[:, j] if errors.size else np.zeros(0)
        col = col[~np.isnan(col)]
        if len(col) >= MIN_SAMPLES:
            n = len(col)
            sd = float(np.sqrt(np.mean(col**2))) * np.sqrt(1.0 + 1.0 / n)  # spread around 0
            scale[j] = max(sd * SD_INFLATE, SD_FLOOR)
            dof[j] = n - 1.0
            have = True
        elif have:
            loc[j], scale[j], dof[j] = loc[j - 1], scale[j - 1], dof[j - 1]
    return loc, scale, dof


def depletion(
    level: float, cum_forecast: FloatArray, errors: FloatArray, *, eps: float
) -> Depletion:
    """Stockout-time distribution for stock `level` and expected cumulative consumption.

    cum_forecast[i] is the expected consumption over the first i + 1 steps (hours); `errors`
    the chosen model's backtest log ratios (rows = origins, columns = HORIZONS).
    """
    if level <= 0:
        return Depletion(cdf=np.ones(len(cum_forecast) + 1))
    loc, scale, dof = error_model(errors)
    t = np.arange(1, len(cum_forecast) + 1, dtype=np.float64)
    x, lh = np.log(t), np.log(HORIZONS.astype(np.float64))
    loc_t, scale_t, dof_t = np.interp(x, lh, loc), np.interp(x, lh, scale), np.interp(x, lh, dof)
    z = (np.log((level + eps) / (np.maximum(cum_forecast, 0.0) + eps)) - loc_t) / scale_t
    cdf = 1.0 - stdtr(dof_t, z)
    cdf = np.concatenate(([0.0], np.clip(cdf, 0.0, 1.0)))
    return Depletion(cdf=np.maximum.accumulate(cdf))
