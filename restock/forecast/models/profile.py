"""Seasonal models on the local hour-of-week: the fast default and the seasonal naive."""

from __future__ import annotations

import numpy as np

from restock.forecast.models.base import History
from restock.forecast.timegrid import HOURS_PER_WEEK, FloatArray

HALFLIFE_H = 3 * HOURS_PER_WEEK
RECENT_HALFLIFE_H = 336.0
SHRINK = 0.15


def hour_of_week_profile(history: History, halflife_h: float = HALFLIFE_H) -> FloatArray:
    """Exponentially weighted mean consumption per local hour-of-week (168 values).

    Each hour-of-week slot is shrunk towards the same hour of an average day, and an
    hour never observed takes that value or, failing that, the overall mean.
    """
    y = history.consumption
    how = history.hour_of_week[: history.n]
    ok = ~np.isnan(y)
    age = np.arange(history.n - 1, -1, -1, dtype=np.float64)
    w = np.exp2(-age / halflife_h) * ok
    wy = w * np.where(ok, y, 0.0)
    num = np.bincount(how, wy, HOURS_PER_WEEK)
    den = np.bincount(how, w, HOURS_PER_WEEK)
    total = den.sum()
    overall = float(num.sum() / total) if total > 0 else 0.0
    hod_num = num.reshape(7, 24).sum(axis=0)
    hod_den = den.reshape(7, 24).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        daily = np.where(hod_den > 0, hod_num / hod_den, overall)
    prior = np.tile(daily, 7)
    scale = SHRINK * max(float(den.max()), 1e-12)
    return np.asarray((num + scale * prior) / (den + scale), dtype=np.float64)


def ew_profile(history: History, horizon: int) -> FloatArray:
    """Default model: the hour-of-week profile, rescaled to the recent level of demand.

    The rescaling compares the last days' consumption with what the profile expected
    for them (shrunk towards 1), so a shift in demand shows up within days, not weeks.
    """
    if history.n == 0:
        return np.zeros(horizon)
    profile = hour_of_week_profile(history)
    future = profile[history.future_hour_of_week(horizon)]
    return np.maximum(future * _recent_ratio(history, profile), 0.0)


def _recent_ratio(history: History, profile: FloatArray) -> float:
    y = history.consumption
    expected = profile[history.hour_of_week[: history.n]]
    ok = ~np.isnan(y)
    age = np.arange(history.n - 1, -1, -1, dtype=np.float64)
    w = np.exp2(-age / RECENT_HALFLIFE_H) * ok
    seen = float(np.sum(w * np.where(ok, y, 0.0)))
    thought = float(np.sum(w * expected))
    prior = float(w.sum()) * max(float(np.mean(profile)), 1e-12)  # ≈ one day of weight
    ratio = (seen + prior) / (thought + prior) if thought + prior > 0 else 1.0
    return float(np.clip(ratio, 0.5, 2.0))


def seasonal_naive(history: History, horizon: int) -> FloatArray:
    """Each future hour repeats the same local hour of the last week; gaps take the profile."""
    if history.n == 0:
        return np.zeros(horizon)
    last = history.consumption[-HOURS_PER_WEEK:]
    slots = history.hour_of_week[: history.n][-HOURS_PER_WEEK:]
    week = hour_of_week_profile(history)
    ok = ~np.isnan(last)
    week[slots[ok]] = last[ok]
    return np.maximum(week[history.future_hour_of_week(horizon)], 0.0)
