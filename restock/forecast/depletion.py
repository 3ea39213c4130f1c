"""When will the stock run out: a distribution of depletion times from cumulative errors.

The expected cumulative consumption P(t) comes from the chosen model. The backtest
gives, per horizon, log ratios of actual to forecast cumulative consumption; these
are summarised as a Student-t centred on 0 with a spread for each side per horizon
(few origins → heavy tails), interpolated over log-horizon. Then

    P(stockout by t) = P(actual cumulative(t) ≥ level) = P(err(t) ≥ log((level+eps)/(P(t)+eps)))

which is made non-decreasing in t by capping each point with every later one.
Quantiles of the stockout time are read off this CDF, so P10/P50/P90 and
P(stockout before T) always agree with each other.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import stdtr

from restock.forecast.backtest import HORIZONS, ORIGIN_SPACING
from restock.forecast.timegrid import FloatArray

MIN_SAMPLES = 3
DEFAULT_SD = 0.35  # log-ratio spread used before a series has any backtest
SD_FLOOR = 0.03
SD_INFLATE = 1.4  # at the longest horizon: overlapping windows understate the error
SIDE_PRIOR = 8.0  # each side's spread leans on the two-sided one with this many origins' weight


# per HORIZONS, how much to widen a spread: windows of origins a day apart overlap
# beyond a day, more the longer they are
_INFLATE = np.interp(
    np.log(HORIZONS), np.log([float(ORIGIN_SPACING), float(HORIZONS[-1])]), [1.0, SD_INFLATE]
)


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
    """Per-HORIZONS upper spread, lower spread and degrees of freedom from backtest log
    ratios (actual over forecast cumulative consumption).

    The centre stays 0: the median cumulative demand is taken to be the forecast.
    Shifting it by the mean backtest bias made stockout times worse on benchmark data
    (lumpy demand: most windows under the mean, a few far over it).

    Each side gets its own spread, because each answers a different question: how much
    faster than forecast the stock can go (the upper side: early stockouts, what
    replenishment's risk is about) and how much slower. A side's spread is the RMS of
    its own errors (as if mirrored), shrunk towards the two-sided RMS with the weight
    of SIDE_PRIOR origins: a series whose backtests all consumed less than forecast
    keeps some upper tail, but no longer gets the spread of its misses below. (One
    spread for both sides gave a shelf with a month of stock P(out within 4 days)
    above 5%, and restock reordered it every few days.) The spreads are widened for
    the overlap of the backtest windows: not at all up to a day (the origins' spacing),
    rising to SD_INFLATE at the longest horizon; a flat ×1.4 made the early tail, the
    one a 1% reorder risk reads, several times too heavy.

    Horizons with fewer than MIN_SAMPLES errors borrow from the nearest shorter horizon
    that has them (or a default spread when none has).
    """
    k = len(HORIZONS)
    upper, lower, dof = np.full(k, DEFAULT_SD), np.full(k, DEFAULT_SD), np.full(k, 2.0)
    have = False
    for j in range(k):
        col = errors[:, j] if errors.size else np.zeros(0)
        col = col[~np.isnan(col)]
        if len(col) >= MIN_SAMPLES:
            n = len(col)
            both = float(np.mean(col**2))
            for spread, side in ((upper, col[col > 0]), (lower, col[col < 0])):
                var = (2.0 * float(np.sum(side**2)) + SIDE_PRIOR * both) / (n + SIDE_PRIOR)
                spread[j] = max(np.sqrt(var * (1.0 + 1.0 / n)) * _INFLATE[j], SD_FLOOR)
            dof[j] = n - 1.0
            have = True
        elif have:
            upper[j], lower[j], dof[j] = upper[j - 1], lower[j - 1], dof[j - 1]
    return upper, lower, dof


def depletion(
    level: float, cum_forecast: FloatArray, errors: FloatArray, *, eps: float
) -> Depletion:
    """Stockout-time distribution for stock `level` and expected cumulative consumption.

    cum_forecast[i] is the expected consumption over the first i + 1 steps (hours); `errors`
    the chosen model's backtest log ratios (rows = origins, columns = HORIZONS).
    """
    if level <= 0:
        return Depletion(cdf=np.ones(len(cum_forecast) + 1))
    upper, lower, dof = error_model(errors)
    t = np.arange(1, len(cum_forecast) + 1, dtype=np.float64)
    x, lh = np.log(t), np.log(HORIZONS.astype(np.float64))
    dof_t = np.interp(x, lh, dof)
    # the log ratio at which the stock is gone by t: above 0 the upper side decides
    d = np.log((level + eps) / (np.maximum(cum_forecast, 0.0) + eps))
    z = d / np.where(d >= 0, np.interp(x, lh, upper), np.interp(x, lh, lower))
    cdf = 1.0 - stdtr(dof_t, z)
    cdf = np.concatenate(([0.0], np.clip(cdf, 0.0, 1.0)))
    # Consumption only accumulates, so P(out by t) ≤ P(out by any later t'): each point
    # is capped by every later one. (Raising later points to earlier ones instead let
    # the noisy log ratios of the first hours — an intermittent shelf's first sale is a
    # huge ratio to an hour's mean — lift the whole curve.)
    return Depletion(cdf=np.minimum.accumulate(cdf[::-1])[::-1])
