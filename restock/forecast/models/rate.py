"""Flat-rate models: exponentially weighted rate and Croston/SBA/TSB for intermittent demand.

All are closed forms of exponential smoothing (the last smoothed value is a weighted
mean), so they need no per-step Python loop.
"""

from __future__ import annotations

import numpy as np

from restock.forecast.models.base import History, weighted_mean
from restock.forecast.timegrid import FloatArray, IntArray

RATE_HALFLIFE_H = 72.0
ALPHA = 0.1
TSB_BETA = 0.02  # per hour: demand probability forgets over about a day and a half


def ew_rate(history: History, horizon: int) -> FloatArray:
    """Exponentially weighted mean consumption per step, held flat; 0 without data."""
    rate = weighted_mean(history.consumption, RATE_HALFLIFE_H)
    return np.full(horizon, max(rate, 0.0) if np.isfinite(rate) else 0.0)


def ew_rate_at(history: History, origins: IntArray, horizon: int) -> FloatArray:
    """ew_rate fitted on history[:o] for every origin o at once: (len(origins), horizon)."""
    y = history.consumption
    ok = ~np.isnan(y)
    age = np.arange(history.n - 1, -1, -1, dtype=np.float64)
    # weights relative to the end, as cumulative sums; the ratio at an origin is the
    # weighted mean of the data before it (the common factor cancels)
    w = np.exp2(-age / RATE_HALFLIFE_H) * ok
    cw = np.concatenate(([0.0], np.cumsum(w)))
    cwy = np.concatenate(([0.0], np.cumsum(w * np.where(ok, y, 0.0))))
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(cw[origins] > 0, cwy[origins] / cw[origins], 0.0)
    return np.repeat(np.maximum(rate, 0.0)[:, None], horizon, axis=1)


def _halflife(alpha: float) -> float:
    return float(np.log(0.5) / np.log(1.0 - alpha))


def _events(history: History) -> tuple[FloatArray, FloatArray]:
    """Sizes of demand events and the steps between them (observed steps only)."""
    y = history.consumption[~np.isnan(history.consumption)]
    hit = np.flatnonzero(y > history.demand_eps)
    if len(hit) == 0:
        return np.zeros(0), np.zeros(0)
    intervals = np.diff(np.concatenate(([-1], hit))).astype(np.float64)
    return y[hit], intervals


def croston(history: History, horizon: int) -> FloatArray:
    """Croston: smoothed demand size over smoothed interval between demands."""
    sizes, intervals = _events(history)
    if len(sizes) == 0:
        return np.zeros(horizon)
    h = _halflife(ALPHA)
    return np.full(horizon, weighted_mean(sizes, h) / weighted_mean(intervals, h))


def sba(history: History, horizon: int) -> FloatArray:
    """Syntetos–Boylan approximation: Croston with its bias correction (1 - alpha/2)."""
    return croston(history, horizon) * (1.0 - ALPHA / 2.0)


def tsb(history: History, horizon: int) -> FloatArray:
    """Teunter–Syntetos–Babai: smoothed probability of demand × smoothed demand size.

    The probability decays every step without demand, so dying demand fades out.
    """
    y = history.consumption[~np.isnan(history.consumption)]
    if len(y) == 0:
        return np.zeros(horizon)
    hit = y > history.demand_eps
    if not hit.any():
        return np.zeros(horizon)
    prob = weighted_mean(hit.astype(np.float64), _halflife(TSB_BETA))
    size = weighted_mean(y[hit], _halflife(ALPHA))
    return np.full(horizon, max(prob * size, 0.0))


def _ew_at(values: FloatArray, counts: IntArray, halflife: float) -> FloatArray:
    """Exponentially weighted mean of values[:c] for each c in counts (0 where c == 0).

    Weights are taken relative to the last value; each prefix's mean is invariant to
    that common factor, so one pair of cumulative sums serves every prefix.
    """
    m = len(values)
    w = np.exp2(-np.arange(m - 1, -1, -1, dtype=np.float64) / halflife)
    cw = np.concatenate(([0.0], np.cumsum(w)))
    cwv = np.concatenate(([0.0], np.cumsum(w * values)))
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(cw[counts] > 0, cwv[counts] / cw[counts], 0.0)
    return np.asarray(out, dtype=np.float64)


def _observed_before(history: History, origins: IntArray) -> tuple[FloatArray, IntArray]:
    ok = ~np.isnan(history.consumption)
    seen = np.concatenate(([0], np.cumsum(ok)))
    return history.consumption[ok], seen[origins]


def croston_at(history: History, origins: IntArray, horizon: int) -> FloatArray:
    """croston fitted on history[:o] for every origin o at once: (len(origins), horizon)."""
    y, n_obs = _observed_before(history, origins)
    hit = np.flatnonzero(y > history.demand_eps)
    intervals = np.diff(np.concatenate(([-1], hit))).astype(np.float64)
    events = np.searchsorted(hit, n_obs, side="left")
    h = _halflife(ALPHA)
    size, gap = _ew_at(y[hit], events, h), _ew_at(intervals, events, h)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(gap > 0, size / gap, 0.0)
    return np.repeat(rate[:, None], horizon, axis=1)


def sba_at(history: History, origins: IntArray, horizon: int) -> FloatArray:
    """sba fitted on history[:o] for every origin o at once."""
    return croston_at(history, origins, horizon) * (1.0 - ALPHA / 2.0)


def tsb_at(history: History, origins: IntArray, horizon: int) -> FloatArray:
    """tsb fitted on history[:o] for every origin o at once."""
    y, n_obs = _observed_before(history, origins)
    hit = y > history.demand_eps
    events = np.searchsorted(np.flatnonzero(hit), n_obs, side="left")
    prob = _ew_at(hit.astype(np.float64), n_obs, _halflife(TSB_BETA))
    size = _ew_at(y[hit], events, _halflife(ALPHA))
    return np.repeat(np.maximum(prob * size, 0.0)[:, None], horizon, axis=1)
