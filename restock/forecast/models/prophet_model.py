"""Prophet with daily and weekly seasonality and Japanese public holidays (optional).

Prophet is heavy (~0.6 s to import, ~100 ms per fit): it is imported only when this
model runs, and selection uses it only where a backtest shows it pays.
"""

from __future__ import annotations

import logging
from functools import lru_cache

import numpy as np
import pandas as pd

from restock.forecast.errors import ModelFailedError
from restock.forecast.models.base import History
from restock.forecast.timegrid import FloatArray

FIT_DAYS = 28


@lru_cache(maxsize=8)
def _japanese_holidays(first_year: int, last_year: int) -> pd.DataFrame:
    import holidays

    days = holidays.country_holidays("JP", years=range(first_year, last_year + 1))
    return pd.DataFrame(
        {
            "holiday": "jp_holiday",
            "ds": pd.to_datetime(sorted(days)),
            "lower_window": 0,
            "upper_window": 0,
        }
    )


def prophet(history: History, horizon: int) -> FloatArray:
    """Prophet fitted on the last FIT_DAYS days of hourly consumption in local time.

    Raises ModelFailedError without Prophet installed or with too little data.
    """
    try:
        from prophet import Prophet
    except ImportError as exc:
        raise ModelFailedError("prophet is not installed (pip install restock[prophet])") from exc
    for name in ("prophet", "cmdstanpy"):
        logging.getLogger(name).setLevel(logging.WARNING)
    n_fit = min(history.n, FIT_DAYS * 24)
    y = history.consumption[-n_fit:]
    if np.sum(~np.isnan(y)) < 48:
        raise ModelFailedError("prophet needs at least two days of observed consumption")
    step = pd.Timedelta(seconds=history.step)
    first = pd.Timestamp(history.end - n_fit * history.step, unit="s", tz="UTC")
    ds = pd.date_range(first, periods=n_fit + horizon, freq=step).tz_convert(history.time_zone)
    ds = ds.tz_localize(None)
    train = pd.DataFrame({"ds": ds[:n_fit], "y": y}).dropna()
    model = Prophet(
        daily_seasonality=True,
        weekly_seasonality=True,
        yearly_seasonality=False,
        holidays=_japanese_holidays(ds[0].year, ds[-1].year),
        uncertainty_samples=0,
    )
    model.fit(train)
    out = model.predict(pd.DataFrame({"ds": ds[n_fit:]}))["yhat"].to_numpy(dtype=np.float64)
    return np.asarray(np.maximum(out, 0.0), dtype=np.float64)
