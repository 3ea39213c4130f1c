"""The simulated world: deterministic, conserving stock, losing demand only when empty,
following opening hours, shifts and Japanese holidays."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from restock.simulators.deliveries import Delivery, PlannedDeliveries, ScriptedDeliveries
from restock.simulators.errors import HorizonError
from restock.simulators.export import simulate_levels
from restock.simulators.scenario_file import parse_scenario
from restock.simulators.world import World

START = datetime(2026, 9, 1, tzinfo=UTC)  # 09:00 in Tokyo, a Tuesday


def one_point(kind: str = "shop", **demand: object) -> dict[str, object]:
    """A scenario table with one customer of `kind` and one count-sensed stock point."""
    return {
        "scenario": {"name": "t"},
        "products": [{"id": "p", "name": "P"}],
        "customers": [{"id": "c", "name": "C", "segment": "A", "kind": kind}],
        "stock_points": [
            {
                "customer": "c",
                "product": "p",
                "capacity": 100,
                "start_level": 100,
                "sensor": {"kind": "shelf_count", "noise": 0.0},
                "demand": {"mean_daily": 20, **demand},
            }
        ],
    }


def test_same_seed_same_output_and_another_seed_differs() -> None:
    obs1, truth1 = simulate_levels("demo", days=10, seed=7)
    obs2, truth2 = simulate_levels("demo", days=10, seed=7)
    pd.testing.assert_frame_equal(obs1, obs2)
    pd.testing.assert_frame_equal(truth1, truth2)
    obs3, truth3 = simulate_levels("demo", days=10, seed=8)
    assert not truth1["demand"].equals(truth3["demand"])
    assert len(obs1) != len(obs3) or not obs1["level"].equals(obs3["level"])


def test_stepping_by_day_gives_the_same_world_as_one_run() -> None:
    sc = parse_scenario(one_point(pattern="smooth", dispersion=0.3))
    deliveries = ScriptedDeliveries(
        [Delivery(series_id="c:p", at=START + timedelta(days=d), up_to=100) for d in (2, 4)]
    )
    whole = World(sc, seed=3, start=START, days=6)
    all_readings = whole.run(deliveries)
    stepped = World(sc, seed=3, start=START, days=6)
    parts = [stepped.advance(START + timedelta(days=d), deliveries) for d in range(1, 7)]
    pd.testing.assert_frame_equal(whole.truth(), stepped.truth())
    pd.testing.assert_frame_equal(all_readings, pd.concat(parts, ignore_index=True))


def test_stock_is_conserved_and_demand_is_lost_only_when_empty() -> None:
    sc = parse_scenario(one_point(pattern="smooth"))
    world = World(sc, seed=1, start=START, days=14)
    world.run()
    truth = world.truth()
    level_after = np.append(truth["true_level"].to_numpy()[1:], world.level[0, -1])
    taken = truth["demand"] - truth["lost_demand"]
    expected = (
        truth["true_level"] + truth["delivered"] + truth["external"] - truth["overflow"] - taken
    )
    np.testing.assert_allclose(level_after, expected)
    lost = truth["lost_demand"] > 0
    assert lost.any(), "100 units at 20/day with no refill must run out in 14 days"
    assert (level_after[lost.to_numpy()] == 0).all()
    assert (truth["lost_demand"] <= truth["demand"]).all()
    assert truth.loc[~lost, "lost_demand"].eq(0).all()


def test_shop_demand_only_while_open() -> None:
    sc = parse_scenario(one_point("shop"))  # default shop hours 10:00-20:00 every day
    _, truth = simulate_levels(sc, days=7, seed=2, start=START)
    local_hour = truth["time"].dt.tz_convert("Asia/Tokyo").dt.hour
    assert truth.loc[(local_hour < 10) | (local_hour >= 20), "demand"].eq(0).all()
    assert truth.loc[(local_hour >= 10) & (local_hour < 20), "demand"].sum() > 0


def test_factory_line_idles_on_weekends_and_japanese_holidays() -> None:
    sc = parse_scenario(one_point("factory", pattern="lumpy", lot_size=5, mean_daily=5))
    _, truth = simulate_levels(sc, days=30, seed=4, start=START)
    local = truth["time"].dt.tz_convert("Asia/Tokyo")
    weekend = local.dt.day_of_week >= 5
    # 2026-09-21 Respect for the Aged Day, 09-22 national holiday, 09-23 Autumnal Equinox
    holiday = local.dt.strftime("%m-%d").isin(["09-21", "09-22", "09-23"])
    assert truth.loc[weekend | holiday, "demand"].eq(0).all()
    assert truth.loc[~weekend & ~holiday, "demand"].sum() > 0
    assert (truth["demand"] % 5 == 0).all(), "a line pulls whole lots"


def test_weekly_factors_and_promotions_raise_demand() -> None:
    busy = parse_scenario(one_point(weekly=[1, 1, 1, 1, 1, 3, 3], mean_daily=50))
    _, truth = simulate_levels(busy, days=56, seed=5, start=START)
    day = truth["time"].dt.tz_convert("Asia/Tokyo").dt.day_of_week
    per_day = truth.groupby(day)["demand"].sum()
    assert per_day[[5, 6]].min() > 2 * per_day[[0, 1, 2, 3, 4]].max()


def test_delivery_fills_up_and_overflow_is_recorded() -> None:
    sc = parse_scenario(one_point())
    world = World(sc, seed=1, start=START, days=3)
    at = START + timedelta(hours=30)
    world.run(ScriptedDeliveries([Delivery(series_id="c:p", at=at, quantity=500)]))
    truth = world.truth().set_index("time")
    row = truth.loc[pd.Timestamp(at)]
    assert row["delivered"] == 500
    assert row["overflow"] > 0
    assert world.level[0, 31] <= 100


def test_advancing_outside_the_horizon_is_refused() -> None:
    world = World(parse_scenario(one_point()), seed=1, start=START, days=1)
    with pytest.raises(HorizonError, match="cannot advance"):
        world.advance(START + timedelta(days=2))
    with pytest.raises(KeyError, match="nope"):
        world.advance(
            START + timedelta(hours=2),
            ScriptedDeliveries([Delivery(series_id="nope", at=START, quantity=1)]),
        )


def test_a_policy_can_book_deliveries_as_the_world_runs() -> None:
    sc = parse_scenario(one_point(mean_daily=40))
    world = World(sc, seed=2, start=START, days=10)
    booked = PlannedDeliveries()
    while world.now < world.end:
        world.advance(world.now + timedelta(hours=6), booked)
        if world.levels()["c:p"] < 30 and not len(booked):
            booked.book(Delivery(series_id="c:p", at=world.now + timedelta(hours=12), up_to=100))
    truth = world.truth()
    assert truth["delivered"].sum() > 0
    assert truth["lost_demand"].sum() < 0.05 * truth["demand"].sum()


@settings(max_examples=25, deadline=None)
@given(
    pattern=st.sampled_from(["smooth", "intermittent", "lumpy"]),
    kind=st.sampled_from(["shop", "restaurant", "clinic", "office", "factory"]),
    mean_daily=st.floats(0.1, 500),
    lot=st.integers(1, 50),
    capacity=st.integers(1, 2000),
    every=st.sampled_from([0, 1, 2.5, 7]),
    seed=st.integers(0, 2**31),
)
def test_levels_stay_within_capacity_and_lost_demand_needs_an_empty_shelf(
    pattern: str, kind: str, mean_daily: float, lot: int, capacity: int, every: float, seed: int
) -> None:
    table = one_point(kind, pattern=pattern, mean_daily=mean_daily, lot_size=lot)
    point = table["stock_points"][0]  # type: ignore[index]
    point.update(capacity=capacity, start_level=capacity / 2, refill={"every_days": every})
    _, truth = simulate_levels(parse_scenario(table), days=5, seed=seed, start=START)
    assert truth["true_level"].between(0, capacity).all()
    assert (truth["demand"] >= 0).all() and (truth["lost_demand"] <= truth["demand"]).all()
    nxt = truth["true_level"].shift(-1)
    lost = (truth["lost_demand"] > 0) & nxt.notna()
    assert (nxt[lost] == 0).all()


def test_start_in_any_time_zone_is_the_same_utc_hour() -> None:
    sc = parse_scenario(one_point())
    tokyo = World(
        sc, seed=1, start=datetime(2026, 9, 1, 9, 30, tzinfo=ZoneInfo("Asia/Tokyo")), days=1
    )
    assert tokyo.start == START and tokyo.start.tzinfo == UTC
    with pytest.raises(ValueError, match="naive"):
        World(sc, seed=1, start=datetime(2026, 9, 1), days=1)
