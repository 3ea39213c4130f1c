"""Flat-rate models: exponentially weighted rate and Croston/SBA/TSB for intermittent demand.

All are closed forms of exponential smoothing (the last smoothed value is a weighted
mean), so they need no per-step Python loop.
"""

from __future__ import annotations

import numpy as np

from restock.forecast.models.base import History, weighted_mean
from restock.forecast.timegrid import FloatArray

RATE_HALFLIFE_H = 72.0
ALPHA = 0.1
TSB_BETA = 0.02  # per hour: demand probability forgets over about a day and a half


def ew_rate(history: History, horizon: int) -> FloatArray:
    """Exponentially weighted mean consumption per step, held flat; 0 without data."""
    rate = weighted_mean(history.consumption, RATE_HALFLIFE_H)
    return np.full(horizon, max(rate, 0.0) if np.isfinite(rate) else 0.0)


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
