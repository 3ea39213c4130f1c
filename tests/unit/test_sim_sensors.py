"""Sensors report what is on the shelf through their calibration; faults bend that in
the ways the field does, and every fault is logged."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import numpy as np
import pandas as pd

from restock.simulators.export import observed_levels
from restock.simulators.scenario import Faults, Scenario
from restock.simulators.scenario_file import parse_scenario
from restock.simulators.sensors import level_at
from restock.simulators.world import World

START = datetime(2026, 9, 1, tzinfo=UTC)


def fleet(**faults: object) -> Scenario:
    """Three stock points, one per sensor kind, with the given fault rates."""
    points = [
        {
            "customer": "c",
            "product": "w",
            "capacity": 40,
            "sensor": {"kind": "shelf_weight", "interval_minutes": 15, "noise": 0.0},
        },
        {
            "customer": "c",
            "product": "n",
            "capacity": 30,
            "sensor": {"kind": "shelf_count", "noise": 0.0},
        },
        {
            "customer": "c",
            "product": "b",
            "capacity": 5000,
            "sensor": {"kind": "line_bin", "interval_minutes": 30, "noise": 0.0},
        },
    ]
    return parse_scenario(
        {
            "products": [
                {"id": "w", "name": "W", "unit_weight_g": 250.0},
                {"id": "n", "name": "N"},
                {"id": "b", "name": "B"},
            ],
            "customers": [{"id": "c", "name": "C", "segment": "B", "kind": "shop"}],
            "stock_points": points,
            "faults": faults,
        }
    )


def run(sc: Scenario, days: float = 4, seed: int = 1) -> tuple[World, pd.DataFrame]:
    world = World(sc, seed=seed, start=START, days=days)
    return world, world.run()


def test_without_faults_or_noise_sensors_report_the_true_level() -> None:
    world, readings = run(fleet())
    seconds = (readings["time"] - pd.Timestamp(START)).dt.total_seconds().to_numpy()
    truth = level_at(world.level, readings["sensor"].to_numpy(), seconds)
    step = np.array([1 / 250.0 * 0.05, 0.5, 5000 * 0.0005])[readings["sensor"]]
    assert (np.abs(readings["quantity"] - truth) <= step + 1e-9).all()
    weight = readings[readings["sensor_id"] == "s-c-w"]
    assert (weight["raw"] >= 500).all(), "grams include the 500 g default tare"
    bins = readings[readings["sensor_id"] == "s-c-b"]
    assert bins["raw"].between(0, 100).all(), "a bin sensor reports percent"
    assert readings["sent"].all() and (readings["malformed"] == "").all()


def test_each_sensor_keeps_its_interval_with_jitter() -> None:
    _, readings = run(fleet())
    gaps = readings.groupby("sensor_id", observed=True)["time"].diff().dt.total_seconds()
    by = readings.assign(gap=gaps).groupby("sensor_id", observed=True)["gap"]
    assert by.median().round(-1).to_dict() == {"s-c-w": 900.0, "s-c-n": 3600.0, "s-c-b": 1800.0}
    assert (by.min() > 0).all()


def test_calibration_error_shows_in_the_observed_level() -> None:
    sc = fleet()
    sp = sc.stock_points[0]
    off = replace(sp, sensor=replace(sp.sensor, tare_error=250.0))  # sd: one unit's weight
    _, readings = run(replace(sc, stock_points=(off, *sc.stock_points[1:])), seed=2)
    _, clean = run(sc, seed=2)
    w = readings["sensor_id"] == "s-c-w"
    diff = readings.loc[w, "quantity"] - clean.loc[w, "quantity"]
    assert abs(diff.mean()) > 0.01, "the physical tare is off the stored one"
    assert diff.max() - diff.min() < 0.01, "a tare error shifts every reading alike"
    others = ~w
    assert (readings.loc[others, "quantity"] == clean.loc[others, "quantity"]).all()


def test_every_fault_kind_is_injected_and_logged() -> None:
    faults = {
        "dropout_per_day": 1.0,
        "spike_prob": 0.05,
        "stuck_per_day": 1.0,
        "drift_fraction": 1.0,
        "skew_fraction": 1.0,
        "duplicate_prob": 0.05,
        "out_of_order_prob": 0.05,
        "malformed_prob": 0.05,
        "offline_per_day": 1.0,
        "backlog": True,
    }
    sc = fleet(**faults)
    sc = replace(
        sc,
        stock_points=(
            replace(
                sc.stock_points[0], sensor=replace(sc.stock_points[0].sensor, battery_per_day=0.4)
            ),
            *sc.stock_points[1:],
        ),
    )
    world, readings = run(sc, days=6, seed=3)
    log = world.plan.fault_log()
    kinds = set(log["kind"])
    assert kinds == {
        "dropout",
        "spike",
        "stuck",
        "drift",
        "clock_skew",
        "duplicate",
        "out_of_order",
        "malformed",
        "offline",
        "battery_dead",
    }
    assert (~readings["sent"]).any()
    assert (readings["ts"] != readings["time"]).all(), "every clock is skewed"
    assert readings["duplicate"].any() and (readings["malformed"] != "").any()
    backlog = readings[readings["batch"] >= 0]
    assert len(backlog) and (backlog["publish_at"] > backlog["time"]).all()
    late = log[log["kind"] == "out_of_order"]
    assert len(late)
    dead = log.loc[log["kind"] == "battery_dead", "start"].iloc[0]
    after = readings[(readings["sensor_id"] == "s-c-w") & (readings["time"] > dead)]
    assert not after["sent"].any(), "a flat battery sends nothing"
    status = world.plan.statuses(0, 6 * 86400)
    assert set(status["status"]) == {"online", "offline"}


def test_stuck_sensor_repeats_one_value() -> None:
    world, readings = run(fleet(stuck_per_day=2.0, stuck_mean_hours=6), seed=4)
    log = world.plan.fault_log()
    stuck = log[log["kind"] == "stuck"].iloc[0]
    r = readings[
        (readings["sensor_id"] == stuck["sensor_id"])
        & readings["time"].between(stuck["start"], stuck["end"], inclusive="left")
    ]
    assert r["raw"].nunique() == 1


def test_observed_levels_drop_lost_malformed_and_duplicate_readings() -> None:
    _, readings = run(fleet(malformed_prob=0.1, duplicate_prob=0.1, dropout_per_day=1.0), seed=5)
    observed = observed_levels(readings)
    expected = readings[readings["sent"] & (readings["malformed"] == "")]
    assert len(observed) == expected.drop_duplicates(["sensor_id", "ts"]).shape[0]
    assert len(observed) < len(readings)
    assert list(observed.columns) == ["series_id", "time", "level"]
    assert str(observed["time"].dt.tz) == "UTC"


def test_fault_free_scenario_has_an_empty_log() -> None:
    world, _ = run(replace(fleet(), faults=Faults()))
    assert world.plan.fault_log().empty
