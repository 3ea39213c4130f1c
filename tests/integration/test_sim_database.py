"""The scenario lands in the database, and deliveries recorded there refill the world."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from restock.simulators import queries
from restock.simulators.deliveries_db import DbDeliveries
from restock.simulators.export import observed_levels
from restock.simulators.loader import load_into_database
from restock.simulators.scenario_file import load_scenario
from restock.simulators.world import World

Conn = psycopg.Connection[tuple[object, ...]]
START = datetime(2026, 9, 1, tzinfo=UTC)


def test_scenario_is_loaded_into_the_domain_tables_and_reloading_is_harmless(db: Conn) -> None:
    scenario = load_scenario("demo")
    ids = load_into_database(db, scenario, START - timedelta(days=1))
    again = load_into_database(db, scenario, START)
    assert ids == again
    counts = {
        t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # type: ignore[index]
        for t in ("reps", "customers", "products", "stock_points", "sensors")
    }
    assert counts == {"reps": 2, "customers": 6, "products": 4, "stock_points": 10, "sensors": 10}
    row = db.execute(
        "SELECT s.kind, s.unit, s.tare, s.scale, s.installed_at, sp.capacity "
        "FROM sensors s JOIN stock_points sp ON sp.id = s.stock_point_id "
        "WHERE sp.customer_id = 'shop-ginza' AND sp.product_id = 'milk-1l'"
    ).fetchone()
    assert row == (
        "shelf_weight",
        "g",
        500.0,
        pytest.approx(1 / 1060),
        START - timedelta(days=1),
        60.0,
    )
    hours = db.execute("SELECT opening_hours FROM customers WHERE id = 'izakaya-kanda'").fetchone()
    assert hours is not None and hours[0]["5"] == [["17:00", "24:00"]] and hours[0]["1"] == []


def test_a_delivery_recorded_in_the_database_raises_the_simulated_level(db: Conn) -> None:
    scenario = load_scenario("demo")
    ids = load_into_database(db, scenario, START)
    world = World(scenario, seed=1, start=START, days=4)
    source = DbDeliveries(db)
    world.advance(START + timedelta(days=1), source)
    series = "clinic-ueno:milk-1l"  # only deliveries in the database refill it here
    before = world.levels()[series]
    arrive = START + timedelta(days=1, hours=3)
    queries.record_delivery(db, ids[series], arrive, 6.0, "order-42/line-1")
    # recorded late: stamped before the world's current time, applied at the next step
    queries.record_delivery(db, ids[series], START + timedelta(hours=5), 2.0, None)
    readings = world.advance(START + timedelta(days=2), source)
    truth = world.truth().set_index(["series_id", "time"])
    assert truth.loc[(series, arrive), "delivered"] == 6.0
    assert truth.loc[(series, START + timedelta(days=1)), "delivered"] == 2.0
    assert truth.xs(series)["delivered"].sum() == 8.0
    level_after = truth.loc[(series, arrive + timedelta(hours=1)), "true_level"]
    assert level_after > before
    seen = observed_levels(readings)
    seen = seen[(seen["series_id"] == series) & (seen["time"] > arrive + timedelta(hours=1))]
    assert seen["level"].max() > before + 3, "the sensors see the refill"
    world.advance(START + timedelta(days=3), source)
    assert world.truth()["delivered"].sum() == 8.0, "each delivery is applied once"
