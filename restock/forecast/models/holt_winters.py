"""Holt-Winters on local daily totals with a weekly season, spread over the day's hours.

statsmodels' ETS with a 168-hour season costs seconds per series and often fails to
converge; seven daily totals per week carry the weekly pattern for milliseconds, and
the hour-of-week profile carries the shape within each day.
"""

from __future__ import annotations

import warnings

import numpy as np

from restock.forecast.errors import ModelFailedError
from restock.forecast.models.base import History
from restock.forecast.models.profile import hour_of_week_profile
from restock.forecast.timegrid import FloatArray

MIN_DAYS = 15


def holt_winters(history: History, horizon: int) -> FloatArray:
    """Daily totals by additive Holt-Winters (weekly season) × hourly shares.

    Raises ModelFailedError with fewer than MIN_DAYS complete local days of history.
    """
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    profile = hour_of_week_profile(history)
    how = history.hour_of_week[: history.n]
    y = np.where(np.isnan(history.consumption), profile[how], history.consumption)
    midnight = np.flatnonzero(how % 24 == 0)
    if len(midnight) < MIN_DAYS + 1:
        raise ModelFailedError(f"holt_winters needs {MIN_DAYS} complete days")
    first, last = int(midnight[0]), int(midnight[-1])
    days = y[first:last].reshape(-1, 24).sum(axis=1)  # complete local days
    today = y[last:]  # the day in progress
    with warnings.catch_warnings():
        # statsmodels warns on poor convergence; the backtest judges the result instead
        warnings.simplefilter("ignore")
        fit = ExponentialSmoothing(
            days,
            trend=None,  # a damped trend quadruples the fit time and did not pay
            seasonal="add",
            seasonal_periods=7,
            initialization_method="estimated",
        ).fit()
        totals = np.asarray(fit.forecast(horizon // 24 + 2), dtype=np.float64)
    totals = np.maximum(totals, 0.0)
    future_how = history.future_hour_of_week(horizon)
    day_of = np.cumsum(future_how % 24 == 0)  # 0 = today, 1 = tomorrow, ...
    day_profile = profile.reshape(7, 24)
    day_sum = day_profile.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(day_sum[:, None] > 0, day_profile / day_sum[:, None], 1.0 / 24.0)
    hourly = totals[day_of] * share.reshape(-1)[future_how]
    # today's total already partly consumed: spread only what is left of it
    left = max(float(totals[0]) - float(np.sum(today)), 0.0)
    now = day_of == 0
    if now.any():
        s = share.reshape(-1)[future_how[now]]
        hourly[now] = left * s / s.sum() if s.sum() > 0 else 0.0
    if not np.all(np.isfinite(hourly)):
        raise ModelFailedError("holt_winters produced non-finite values")
    return np.asarray(np.maximum(hourly, 0.0), dtype=np.float64)
