"""Seasonal models on the local hour-of-week: the fast default and the seasonal naive."""

from __future__ import annotations

import numpy as np

from restock.forecast.models.base import History
from restock.forecast.timegrid import HOURS_PER_WEEK, FloatArray

HALFLIFE_H = 6 * HOURS_PER_WEEK
SHRINK = 0.5
DAY_SHRINK = 1.0


def hour_of_week_profile(history: History, halflife_h: float | None = None) -> FloatArray:
    """Exponentially weighted mean consumption per local hour-of-week (168 values).

    Each hour-of-week slot is shrunk towards the same hour of an average day times a
    weekday factor; an hour never observed takes that prior.
    """
    y = history.consumption
    how = history.hour_of_week[: history.n]
    ok = ~np.isnan(y)
    age = np.arange(history.n - 1, -1, -1, dtype=np.float64)
    w = np.exp2(-age / (halflife_h or HALFLIFE_H)) * ok
    wy = w * np.where(ok, y, 0.0)
    num = np.bincount(how, wy, HOURS_PER_WEEK)
    den = np.bincount(how, w, HOURS_PER_WEEK)
    total = den.sum()
    overall = float(num.sum() / total) if total > 0 else 0.0
    # prior for a slot: the same hour of an average day × its weekday's factor, the
    # factor shrunk towards 1 (weekday effects in lumpy demand are mostly noise) but
    # not so far that a day that is always closed opens
    hod_num, hod_den = num.reshape(7, 24).sum(axis=0), den.reshape(7, 24).sum(axis=0)
    dow_num, dow_den = num.reshape(7, 24).sum(axis=1), den.reshape(7, 24).sum(axis=1)
    strength = DAY_SHRINK * float(dow_den.mean()) * overall
    with np.errstate(invalid="ignore", divide="ignore"):
        daily = np.where(hod_den > 0, hod_num / hod_den, overall)
        factor = (dow_num + strength) / (dow_den * overall + strength)
    factor = np.where(np.isfinite(factor), factor, 1.0)
    prior = (factor[:, None] * daily[None, :]).reshape(-1)
    scale = SHRINK * max(float(den.max()), 1e-12)
    return np.asarray((num + scale * prior) / (den + scale), dtype=np.float64)


def ew_profile(history: History, horizon: int) -> FloatArray:
    """Default model: the exponentially weighted local hour-of-week profile, repeated.

    A long memory (HALFLIFE_H) wins on benchmark data: demand is lumpy, and a short
    memory chases last week's noise. Level shifts are left to `ew_rate` via selection.
    """
    if history.n == 0:
        return np.zeros(horizon)
    profile = hour_of_week_profile(history)
    return np.maximum(profile[history.future_hour_of_week(horizon)], 0.0)


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
