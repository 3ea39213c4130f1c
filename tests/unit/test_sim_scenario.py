"""Scenario files: the shipped examples load; mistakes are refused with a clear message."""

from __future__ import annotations

from pathlib import Path

import pytest

from restock.simulators.errors import ScenarioError
from restock.simulators.scenario_file import load_scenario, parse_hours


def test_shipped_scenarios_load() -> None:
    demo = load_scenario("demo")
    assert {sp.sensor.kind for sp in demo.stock_points} == {
        "shelf_weight",
        "shelf_count",
        "line_bin",
    }
    food = load_scenario("food_wholesale")
    assert len(food.customers) == 200
    assert {c.rep_id for c in food.customers} == {r.id for r in food.reps}
    assert len({sp.series_id for sp in food.stock_points}) == len(food.stock_points)
    lines = load_scenario("factory_lines")
    assert any(sp.sensor.kind == "line_bin" for sp in lines.stock_points)
    assert {c.kind for c in lines.customers} == {"factory"}


def test_generated_customers_are_part_of_the_scenario() -> None:
    a, b = load_scenario("food_wholesale"), load_scenario("food_wholesale")
    assert a == b


def test_generated_storage_is_sized_to_each_customers_visit_habit() -> None:
    # food_wholesale: cover_cadences = [1.0, 3.5] → each customer's stock points hold
    # one factor (±15%) of its visit interval's demand, not a fixed number of days
    food = load_scenario("food_wholesale")
    factors = []
    for c in food.customers:
        assert c.visit_cadence_days is not None
        covers = [
            sp.capacity / sp.demand.mean_daily / c.visit_cadence_days
            for sp in food.stock_points
            if sp.customer_id == c.id and sp.capacity > food.product(sp.product_id).pack_size
        ]  # (a stock point raised to one pack holds more)
        if covers:
            assert min(covers) >= 0.85 and max(covers) <= 4.05
            assert max(covers) / min(covers) <= 1.4
            factors.append(min(covers))
    assert min(factors) < 1.2 and max(factors) > 2.8  # customers differ


def test_weight_sensor_calibration_comes_from_the_product() -> None:
    demo = load_scenario("demo")
    milk = next(sp for sp in demo.stock_points if sp.series_id == "shop-ginza:milk-1l")
    assert milk.sensor.unit == "g"
    assert milk.sensor.scale == pytest.approx(1 / 1060)
    bolts = next(sp for sp in demo.stock_points if sp.product_id == "m6-bolts")
    assert bolts.sensor.unit == "percent" and bolts.sensor.scale == pytest.approx(80.0)


def test_opening_hours_parse() -> None:
    assert parse_hours({"mon": ["09:00-12:30", "13:30-18:00"]}, "x") == {
        1: ((9.0, 12.5), (13.5, 18.0))
    }
    with pytest.raises(ScenarioError, match="HH:MM"):
        parse_hours({"mon": ["nine to five"]}, "x")
    with pytest.raises(ScenarioError, match="funday"):
        parse_hours({"funday": []}, "x")


BASE = """
[[products]]
id = "p"
name = "P"
[[customers]]
id = "c"
name = "C"
segment = "A"
[[stock_points]]
customer = "c"
product = "p"
capacity = 10
"""


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("[faults]\nspikes = 0.1\n", "unknown key"),
        (
            '[[stock_points]]\ncustomer = "c"\nproduct = "nope"\ncapacity = 5\n',
            "unknown product 'nope'",
        ),
        ('[[stock_points]]\ncustomer = "zz"\nproduct = "p"\ncapacity = 5\n', "unknown customer"),
        ('[[stock_points]]\ncustomer = "c"\nproduct = "p"\ncapacity = 5\n', "repeats"),
        ('[[customers]]\nid = "d"\nname = "D"\nsegment = "Z"\n', "segment"),
        (
            '[[stock_points]]\ncustomer = "c"\nproduct = "p"\ncapacity = 5\n'
            'sensor = { kind = "shelf_weight", id = "w" }\n',
            "unit_weight_g",
        ),
        ("[scenario]\nname = 3\nwhat = 1\n", "unknown key"),
    ],
)
def test_bad_scenarios_are_refused_naming_the_problem(
    tmp_path: Path, extra: str, message: str
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(BASE + extra)
    with pytest.raises(ScenarioError, match=message) as info:
        load_scenario(path)
    assert "bad.toml" in str(info.value)


def test_missing_file_and_bad_toml(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="not found"):
        load_scenario(tmp_path / "missing.toml")
    (tmp_path / "x.toml").write_text("[[[")
    with pytest.raises(ScenarioError, match="not valid TOML"):
        load_scenario(tmp_path / "x.toml")


def test_unknown_builtin_name_is_refused() -> None:
    with pytest.raises(ScenarioError, match="nor a built-in scenario"):
        load_scenario("no_such_scenario")
