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


def hour_of_week(starts: IntArray, time_zone: str, holidays: str | None = None) -> IntArray:
    """Local hour-of-week (Monday 00:00 = 0 … Sunday 23:00 = 167) of each epoch second.

    holidays: a country code (e.g. "JP"); its public holidays count as Sundays, as
    most Japanese businesses treat them (日祝休み). Raises ValueError for an unknown
    time zone or country.
    """
    if len(starts) == 0:
        return np.zeros(0, dtype=np.int64)
    step = int(starts[1] - starts[0]) if len(starts) > 1 else 3600
    regular = len(starts) < 3 or bool(np.all(np.diff(starts) == step))
    if regular:
        return _grid_hour_of_week(int(starts[0]), step, len(starts), time_zone, holidays).copy()
    return _hour_of_week(starts, time_zone, holidays)


@lru_cache(maxsize=256)
def _grid_hour_of_week(
    start: int, step: int, n: int, time_zone: str, holidays: str | None
) -> IntArray:
    # A job forecasts thousands of series on the same grid: compute each grid once.
    out = _hour_of_week(start + step * np.arange(n, dtype=np.int64), time_zone, holidays)
    out.flags.writeable = False
    return out


def _hour_of_week(starts: IntArray, time_zone: str, holidays: str | None) -> IntArray:
    try:
        local = pd.DatetimeIndex(pd.to_datetime(starts, unit="s", utc=True)).tz_convert(time_zone)
    except Exception as exc:  # pytz/zoneinfo raise several types for a bad name
        raise ValueError(f"unknown time zone {time_zone!r}") from exc
    day = np.asarray(local.day_of_week, dtype=np.int64)
    if holidays:
        dates = np.asarray(local.tz_localize(None).normalize(), dtype="datetime64[D]")
        years = range(int(local.year.min()), int(local.year.max()) + 1)
        day = np.where(np.isin(dates, _holiday_dates(holidays, tuple(years))), 6, day)
    return np.asarray(day * 24 + np.asarray(local.hour), dtype=np.int64)


@lru_cache(maxsize=32)
def _holiday_dates(country: str, years: tuple[int, ...]) -> npt.NDArray[np.datetime64]:
    import holidays as holiday_calendars

    try:
        found = holiday_calendars.country_holidays(country, years=list(years))
    except NotImplementedError as exc:
        raise ValueError(f"no holiday calendar for country {country!r}") from exc
    return np.array(sorted(found), dtype="datetime64[D]")


def epoch_seconds(times: pd.Series | pd.DatetimeIndex) -> IntArray:
    """Epoch seconds of tz-aware pandas timestamps, whatever their resolution."""
    index = pd.DatetimeIndex(times)
    return np.asarray(index.as_unit("s").asi8, dtype=np.int64)
