"""Hourly grids in UTC and their hour-of-week in the customer's local time.

Times inside the forecasting core are integer epoch seconds (UTC); only the local
hour-of-week, which carries the daily and weekly pattern, depends on the time zone.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache

import numpy as np
import numpy.typing as npt
import pandas as pd

HOURS_PER_WEEK = 168
IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def to_epoch(when: datetime) -> int:
    """Epoch seconds of a timezone-aware datetime; raises ValueError if it is naive."""
    if when.tzinfo is None:
        raise ValueError(f"time {when.isoformat()} has no time zone")
    return int(when.timestamp())


def from_epoch(seconds: float) -> datetime:
    """A UTC datetime from epoch seconds."""
    return datetime.fromtimestamp(seconds, UTC)


def hour_of_week(starts: IntArray, time_zone: str) -> IntArray:
    """Local hour-of-week (Monday 00:00 = 0 … Sunday 23:00 = 167) of each epoch second.

    Raises ValueError for an unknown time zone.
    """
    if len(starts) == 0:
        return np.zeros(0, dtype=np.int64)
    step = int(starts[1] - starts[0]) if len(starts) > 1 else 3600
    regular = len(starts) < 3 or bool(np.all(np.diff(starts) == step))
    if regular:
        return _grid_hour_of_week(int(starts[0]), step, len(starts), time_zone).copy()
    return _hour_of_week(starts, time_zone)


@lru_cache(maxsize=256)
def _grid_hour_of_week(start: int, step: int, n: int, time_zone: str) -> IntArray:
    # A job forecasts thousands of series on the same grid: compute each grid once.
    out = _hour_of_week(start + step * np.arange(n, dtype=np.int64), time_zone)
    out.flags.writeable = False
    return out


def _hour_of_week(starts: IntArray, time_zone: str) -> IntArray:
    try:
        local = pd.DatetimeIndex(pd.to_datetime(starts, unit="s", utc=True)).tz_convert(time_zone)
    except Exception as exc:  # pytz/zoneinfo raise several types for a bad name
        raise ValueError(f"unknown time zone {time_zone!r}") from exc
    return np.asarray(local.day_of_week * 24 + local.hour, dtype=np.int64)


def epoch_seconds(times: pd.Series | pd.DatetimeIndex) -> IntArray:
    """Epoch seconds of tz-aware pandas timestamps, whatever their resolution."""
    index = pd.DatetimeIndex(times)
    return np.asarray(index.as_unit("s").asi8, dtype=np.int64)
