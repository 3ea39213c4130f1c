"""When customers consume: opening hours, shifts, hour-of-day shape, Japanese holidays.

Pure functions of the customer and the hourly UTC grid; nothing here draws randomness.
"""

from __future__ import annotations

from functools import cache

import holidays
import numpy as np
import numpy.typing as npt
import pandas as pd

from restock.simulators.scenario import Customer, CustomerKind

Hours = tuple[tuple[float, float], ...]
FloatArray = npt.NDArray[np.float64]

_WEEKDAYS = (1, 2, 3, 4, 5, 6, 7)

# Opening hours by kind of customer, used when the scenario gives none.
DEFAULT_HOURS: dict[CustomerKind, dict[int, Hours]] = {
    "shop": {d: ((10.0, 20.0),) for d in _WEEKDAYS},
    "restaurant": {d: ((11.0, 14.5), (17.0, 22.0)) for d in (2, 3, 4, 5, 6, 7)},
    "clinic": {**{d: ((9.0, 18.0),) for d in (1, 2, 3, 4, 5)}, 6: ((9.0, 12.0),)},
    "office": {d: ((9.0, 18.0),) for d in (1, 2, 3, 4, 5)},
    # two shifts, 06:00-14:00 and 14:00-22:00; idle weekends
    "factory": {d: ((6.0, 14.0), (14.0, 22.0)) for d in (1, 2, 3, 4, 5)},
}

# Demand on a public holiday relative to an ordinary day of the same weekday.
DEFAULT_HOLIDAY_FACTOR: dict[CustomerKind, float] = {
    "shop": 1.2,
    "restaurant": 1.3,
    "clinic": 0.0,
    "office": 0.0,
    "factory": 0.0,
}


def hour_shape(kind: CustomerKind) -> FloatArray:
    """Relative intensity of each local hour (24 values) while open.

    Shops and restaurants peak at lunch and in the evening; clinics in the morning;
    offices and factory lines consume evenly through a shift.
    """
    hours = np.arange(24, dtype=np.float64) + 0.5
    if kind in ("shop", "restaurant"):
        return (
            1.0
            + 0.7 * np.exp(-(((hours - 12.5) / 1.2) ** 2))
            + 0.9 * np.exp(-(((hours - 18.5) / 1.5) ** 2))
        )
    if kind == "clinic":
        return 1.0 + 0.5 * np.exp(-(((hours - 10.0) / 1.5) ** 2))
    return np.ones(24, dtype=np.float64)


def open_fraction(hours: Hours) -> FloatArray:
    """For each local hour [h, h+1), the fraction of it inside the open intervals."""
    starts = np.arange(24, dtype=np.float64)
    out = np.zeros(24, dtype=np.float64)
    for begin, end in hours:
        out += np.clip(np.minimum(starts + 1.0, end) - np.maximum(starts, begin), 0.0, 1.0)
    return np.minimum(out, 1.0)


def week_table(customer: Customer) -> FloatArray:
    """7×24 activity (Monday first) for an ordinary week, normalised so an average open
    day sums to 1 — so `mean_daily` demand is the demand of an average open day."""
    opening = customer.opening_hours or DEFAULT_HOURS[customer.kind]
    shape = hour_shape(customer.kind)
    table = np.zeros((7, 24), dtype=np.float64)
    for day in _WEEKDAYS:
        table[day - 1] = open_fraction(opening.get(day, ())) * shape
    daily = table.sum(axis=1)
    open_days = daily > 0
    if open_days.any():
        table /= daily[open_days].mean()
    return table


@cache
def _japan_holidays(years: tuple[int, ...]) -> frozenset[np.datetime64]:
    found = holidays.country_holidays("JP", years=list(years))
    return frozenset(np.datetime64(day, "D") for day in found)


def holiday_mask(local_dates: npt.NDArray[np.datetime64]) -> npt.NDArray[np.bool_]:
    """True where a local date is a Japanese public holiday."""
    if local_dates.size == 0:
        return np.zeros(0, dtype=np.bool_)
    years = tuple(
        range(
            int(str(local_dates.min().astype("datetime64[Y]"))),
            int(str(local_dates.max().astype("datetime64[Y]"))) + 1,
        )
    )
    days = _japan_holidays(years)
    return np.fromiter((d in days for d in local_dates), dtype=np.bool_, count=local_dates.size)


def activity(customer: Customer, hours_utc: pd.DatetimeIndex) -> tuple[FloatArray, FloatArray]:
    """(activity, weekday) for each UTC hour: the customer's activity (week table and
    holidays applied) and the local ISO weekday index 0..6 (as float, for indexing)."""
    local = hours_utc.tz_convert(customer.time_zone)
    weekday = local.day_of_week.to_numpy()
    hour = local.hour.to_numpy()
    act = week_table(customer)[weekday, hour]
    dates = local.tz_localize(None).normalize().to_numpy().astype("datetime64[D]")
    is_holiday = holiday_mask(dates)
    if is_holiday.any():
        # a holiday trades the weekday's own pattern for a Saturday-like one
        saturday = week_table(customer)[5, hour]
        base = np.where(saturday > 0, saturday, act)
        act = np.where(is_holiday, base * customer.holiday_factor, act)
    return act.astype(np.float64), weekday.astype(np.float64)
