"""Levels → consumption: what the models learn from must be demand, not sensor artefacts."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from restock.forecast.consumption import to_consumption
from restock.forecast.timegrid import hour_of_week

H = 3600
END = int(datetime(2026, 11, 2, 0, 0, tzinfo=UTC).timestamp())


def hourly(levels: list[float] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    values = np.asarray(levels, dtype=np.float64)
    times = END - H * np.arange(len(values) - 1, -1, -1, dtype=np.int64)
    return times, values


def sawtooth(hours: int = 400, rate: float = 1.0, capacity: float = 100.0) -> np.ndarray:
    level, out = capacity, []
    for i in range(hours):
        if i % 70 == 0 and i:
            level = capacity if i % 140 == 0 else level + 30.0  # full and partial refills
        level -= rate
        out.append(level)
    return np.asarray(out)


def test_refills_full_and_partial_are_not_negative_demand() -> None:
    times, levels = hourly(sawtooth())
    cons = to_consumption(times, levels, end=END, time_zone="UTC")
    known = cons.consumption[~np.isnan(cons.consumption)]
    assert np.allclose(known, 1.0)
    assert cons.refill.sum() == 5  # refills at hours 70, 140, …, 350


def test_spikes_are_removed_and_do_not_look_like_refills() -> None:
    levels = sawtooth()
    levels[100] += 60.0
    levels[250] -= 45.0
    times, values = hourly(levels)
    cons = to_consumption(times, values, end=END, time_zone="UTC")
    assert cons.refill.sum() == 5
    known = cons.consumption[~np.isnan(cons.consumption)]
    assert np.allclose(known, 1.0)


def test_duplicates_and_unordered_rows_collapse_into_one_reading_per_hour() -> None:
    times, levels = hourly(sawtooth(200))
    t2 = np.concatenate((times, times[::3]))[::-1]
    v2 = np.concatenate((levels, levels[::3]))[::-1]
    cons = to_consumption(t2, v2, end=END, time_zone="UTC")
    assert np.nansum(cons.consumption) == np.nansum(
        to_consumption(times, levels, end=END, time_zone="UTC").consumption
    )


def test_hours_spent_empty_are_censored_not_zero_demand() -> None:
    levels = np.maximum(100.0 - 2.0 * np.arange(300), 0.0)  # empty after 50 h
    times, values = hourly(levels)
    cons = to_consumption(times, values, end=END, time_zone="UTC")
    n = cons.n
    empty_bins = np.arange(n - 300 + 50, n)
    assert np.all(np.isnan(cons.consumption[empty_bins]))
    assert np.nanmean(cons.consumption) == 2.0


def test_gaps_leave_demand_unknown_rather_than_zero() -> None:
    times, levels = hourly(sawtooth(300))
    keep = np.ones(len(times), dtype=bool)
    keep[100:130] = False
    cons = to_consumption(times[keep], levels[keep], end=END, time_zone="UTC")
    assert np.isnan(cons.consumption[cons.n - 300 + 100 : cons.n - 300 + 131]).all()
    assert np.allclose(cons.consumption[~np.isnan(cons.consumption)], 1.0)


def test_stuck_sensor_is_not_learned_as_zero_demand() -> None:
    levels = sawtooth(300)
    levels[150:180] = levels[150]  # stuck for 30 h, then shows the real level again
    times, values = hourly(levels)
    cons = to_consumption(times, values, end=END, time_zone="UTC")
    assert np.allclose(cons.consumption[~np.isnan(cons.consumption)], 1.0)


def test_hour_of_week_is_local_time() -> None:
    sunday_15_utc = int(datetime(2026, 11, 1, 15, 0, tzinfo=UTC).timestamp())
    starts = sunday_15_utc + H * np.arange(3, dtype=np.int64)
    assert hour_of_week(starts, "Asia/Tokyo").tolist() == [0, 1, 2]  # Monday 00:00 JST
    assert hour_of_week(starts, "UTC").tolist() == [6 * 24 + 15, 6 * 24 + 16, 6 * 24 + 17]


def test_japanese_public_holidays_count_as_sundays() -> None:
    culture_day = int(datetime(2026, 11, 2, 15, 0, tzinfo=UTC).timestamp())  # Tue 3 Nov JST
    starts = culture_day + H * np.arange(2, dtype=np.int64)
    assert hour_of_week(starts, "Asia/Tokyo", "JP").tolist() == [6 * 24, 6 * 24 + 1]
    assert hour_of_week(starts, "Asia/Tokyo").tolist() == [24, 25]  # an ordinary Tuesday


def test_a_sensor_reporting_every_few_hours_still_shows_demand() -> None:
    times, levels = hourly(sawtooth(400))
    sparse = np.arange(len(times)) % 3 == 0  # one reading every three hours
    cons = to_consumption(times[sparse], levels[sparse], end=END, time_zone="UTC")
    known = cons.consumption[~np.isnan(cons.consumption)]
    assert len(known) > 300
    assert np.allclose(known, 1.0)
