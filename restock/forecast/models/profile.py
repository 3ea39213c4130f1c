"""Seasonal models on the local hour-of-week: the fast default and the seasonal naive."""

from __future__ import annotations

import itertools

import numpy as np

from restock.forecast.models.base import History
from restock.forecast.timegrid import HOURS_PER_WEEK, FloatArray, IntArray

HALFLIFE_H = 6 * HOURS_PER_WEEK
SHRINK = 0.5
DAY_SHRINK = 2.0


def hour_of_week_profile(history: History, halflife_h: float | None = None) -> FloatArray:
    """Exponentially weighted mean consumption per local hour-of-week (168 values).

    Each hour-of-week slot is shrunk towards the same hour of an average day times a
    weekday factor; an hour never observed takes that prior.
    """
    num, den = _sums(history, np.array([history.n]), halflife_h or HALFLIFE_H)
    return np.asarray(_profile(num, den)[0], dtype=np.float64)


def _sums(history: History, origins: IntArray, halflife_h: float) -> tuple[FloatArray, FloatArray]:
    """Weighted sums of consumption and weights per slot over the data before each origin.

    Weights decay from the end of the history; the profile is invariant to a common
    factor, so one set of weights serves every origin. Returns two (len(origins), 168).
    """
    y = history.consumption
    how = history.hour_of_week[: history.n]
    ok = ~np.isnan(y)
    age = np.arange(history.n - 1, -1, -1, dtype=np.float64)
    w = np.exp2(-age / halflife_h) * ok
    wy = w * np.where(ok, y, 0.0)
    order = np.argsort(origins)
    bounds = np.concatenate(([0], origins[order]))
    num = np.zeros((len(origins), HOURS_PER_WEEK))
    den = np.zeros((len(origins), HOURS_PER_WEEK))
    acc_n, acc_d = np.zeros(HOURS_PER_WEEK), np.zeros(HOURS_PER_WEEK)
    for k, (a, b) in enumerate(itertools.pairwise(bounds)):
        acc_n = acc_n + np.bincount(how[a:b], wy[a:b], HOURS_PER_WEEK)
        acc_d = acc_d + np.bincount(how[a:b], w[a:b], HOURS_PER_WEEK)
        num[order[k]], den[order[k]] = acc_n, acc_d
    return num, den


def _profile(num: FloatArray, den: FloatArray) -> FloatArray:
    """Shrunk profiles from per-slot sums, one per row of (k, 168) inputs."""
    k = num.shape[0]
    total = den.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        overall = np.where(total > 0, num.sum(axis=1) / total, 0.0)[:, None]
        # prior for a slot: the same hour of an average day × its weekday's factor,
        # the factor shrunk towards 1 (weekday effects in lumpy demand are mostly
        # noise) but not so far that a day that is always closed opens
        n3, d3 = num.reshape(k, 7, 24), den.reshape(k, 7, 24)
        hod_num, hod_den = n3.sum(axis=1), d3.sum(axis=1)
        dow_num, dow_den = n3.sum(axis=2), d3.sum(axis=2)
        strength = DAY_SHRINK * dow_den.mean(axis=1, keepdims=True) * overall
        daily = np.where(hod_den > 0, hod_num / hod_den, overall)
        factor = (dow_num + strength) / (dow_den * overall + strength)
    factor = np.where(np.isfinite(factor), factor, 1.0)
    prior = (factor[:, :, None] * daily[:, None, :]).reshape(k, HOURS_PER_WEEK)
    scale = SHRINK * np.maximum(den.max(axis=1, keepdims=True), 1e-12)
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


def ew_profile_at(history: History, origins: IntArray, horizon: int) -> FloatArray:
    """ew_profile fitted on history[:o] for every origin o at once: (len(origins), horizon)."""
    num, den = _sums(history, origins, HALFLIFE_H)
    profiles = _profile(num, den)
    how = np.concatenate((history.hour_of_week[: history.n], history.future_hour_of_week(horizon)))
    idx = how[origins[:, None] + np.arange(horizon)[None, :]]
    return np.maximum(np.take_along_axis(profiles, idx, axis=1), 0.0)


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
