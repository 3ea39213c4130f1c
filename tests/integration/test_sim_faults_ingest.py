"""Every fault the simulator injects reaches a running ingester (`restock ingest`, a
subprocess) and is handled there: stored, absorbed, or kept with a reason — and the
ingester is still running afterwards."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from restock.core.local_broker import LocalBroker, free_port
from restock.simulators import queries
from restock.simulators.deliveries_db import DbDeliveries
from restock.simulators.export import observed_levels
from restock.simulators.loader import load_into_database
from restock.simulators.publisher import BrokerAddress, MqttPublisher
from restock.simulators.runner import run_accelerated
from restock.simulators.scenario_file import parse_scenario
from restock.simulators.world import World, floor_hour

Conn = psycopg.Connection[tuple[object, ...]]

FAULTS = {
    "dropout_per_day": 0.5,
    "spike_prob": 0.03,
    "spike_magnitude": 1.5,
    "stuck_per_day": 0.5,
    "drift_fraction": 1.0,
    "drift_per_day": 0.01,
    "skew_fraction": 1.0,
    "skew_max_s": 120,
    "duplicate_prob": 0.05,
    "out_of_order_prob": 0.05,
    "malformed_prob": 0.05,
    "offline_per_day": 0.7,
    "offline_mean_hours": 5,
    "backlog": True,
}


def scenario_table() -> dict[str, object]:
    # (product, sensor kind, capacity, battery drain per day: the weight sensor dies)
    kinds = [
        ("w", "shelf_weight", 40, 0.4),
        ("n", "shelf_count", 30, 0.05),
        ("b", "line_bin", 5000, 0.05),
    ]
    return {
        "scenario": {"name": "faulty"},
        "products": [
            {"id": "w", "name": "W", "unit_weight_g": 250.0},
            {"id": "n", "name": "N"},
            {"id": "b", "name": "B"},
        ],
        "customers": [{"id": "c", "name": "C", "segment": "A", "kind": "shop"}],
        "stock_points": [
            {
                "customer": "c",
                "product": p,
                "capacity": cap,
                "sensor": {"kind": k, "interval_minutes": 20, "battery_per_day": drain},
                "demand": {"mean_daily": cap / 4},
                "refill": {"every_days": 2},
            }
            for p, k, cap, drain in kinds
        ],
        "faults": FAULTS,
    }


def wait_for(check: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def scalar(db: Conn, sql: str) -> int:
    row = db.execute(sql).fetchone()
    assert row is not None
    return int(row[0])  # type: ignore[call-overload]


@pytest.fixture
def ingest_process(
    database_url: str, broker: LocalBroker, tmp_path: Path
) -> Iterator[subprocess.Popen[bytes]]:
    port = free_port()
    env = dict(
        os.environ,
        RESTOCK_DATABASE_URL=database_url,
        RESTOCK_MQTT_URL=broker.url,
        RESTOCK_MQTT_CLIENT_ID=f"sim-ingest-{broker.port}",
        RESTOCK_METRICS_PORT=str(port),
        RESTOCK_INGEST_BATCH_INTERVAL_S="0.05",
    )
    log = (tmp_path / "ingest.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "restock.cli.main", "ingest"], env=env, stdout=log, stderr=log
    )

    def subscribed() -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=1) as r:
                return "restock_ingest_broker_connected 1.0" in r.read().decode()
        except OSError:
            return False

    try:
        wait_for(subscribed, "the ingester to subscribe")
        yield process
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


def test_every_fault_reaches_the_ingester_and_is_handled(
    db: Conn, broker: LocalBroker, ingest_process: subprocess.Popen[bytes], database_url: str
) -> None:
    scenario = parse_scenario(scenario_table())
    # history ending an hour ago, so no reading (even skewed) is stamped in the future
    start = floor_hour(datetime.now(UTC)) - timedelta(days=3, hours=1)
    world = World(scenario, seed=5, start=start, days=3)
    load_into_database(db, scenario, world.start - timedelta(days=1))
    with MqttPublisher(BrokerAddress(host="127.0.0.1", port=broker.port)) as publisher:
        readings, _ = run_accelerated(world, publisher, batch=6)
    kinds = set(world.plan.fault_log()["kind"])
    assert kinds == {
        "dropout", "spike", "stuck", "drift", "clock_skew", "duplicate",
        "out_of_order", "malformed", "offline", "battery_dead",
    }  # fmt: skip

    observed = observed_levels(readings)
    malformed = int((readings["sent"] & (readings["malformed"] != "")).sum())
    bad_values = "('negative_value', 'absurd_value')"

    def settled() -> bool:
        stored = scalar(db, "SELECT count(*) FROM readings")
        refused = scalar(db, f"SELECT count(*) FROM rejected_messages WHERE reason IN {bad_values}")
        kept = scalar(
            db, f"SELECT count(*) FROM rejected_messages WHERE reason NOT IN {bad_values}"
        )
        return stored + refused == len(observed) and kept >= malformed

    wait_for(settled, "every reading to be stored or kept")
    assert ingest_process.poll() is None, "the ingester survived every fault"

    reasons = dict(
        db.execute("SELECT reason, count(*) FROM rejected_messages GROUP BY reason").fetchall()
    )
    expected_by_kind = {
        "not_json": "malformed_json",
        "value_not_number": "wrong_type",
        "missing_ts": "missing_field",
        "bad_ts": "bad_timestamp",
    }
    for kind in set(readings.loc[readings["sent"], "malformed"].astype(str)) - {""}:
        assert reasons.get(expected_by_kind[kind], 0) > 0, kind

    # stored rows are exactly what the sensors reported: skewed times, stuck, drifting
    # and spiking values, backlogs and late arrivals included; duplicates absorbed
    rows = db.execute("SELECT sensor_id, time, quantity FROM readings").fetchall()
    stored = {(s, t): q for s, t, q in rows}
    assert len(stored) == len(rows)
    sensor_of = {sp.series_id: sp.sensor.id for sp in scenario.stock_points}
    matched = 0
    for series, t, level in observed.itertuples(index=False):
        q = stored.get((sensor_of[series], t.to_pydatetime()))
        if q is not None:
            assert q == pytest.approx(level, rel=1e-9, abs=1e-9)
            matched += 1
    assert matched == len(stored)

    backlog = readings[(readings["batch"] >= 0) & readings["sent"] & (readings["malformed"] == "")]
    assert len(backlog) > 0
    statuses = db.execute(
        "SELECT count(*) FROM sensors WHERE status_changed_at IS NOT NULL"
    ).fetchone()
    assert statuses is not None and statuses[0] > 0, "LWT status changes were recorded"
    battery = db.execute("SELECT min(battery) FROM sensors").fetchone()
    assert battery is not None and battery[0] < 0.1
    dead = db.execute("SELECT status FROM sensors WHERE id = 's-c-w'").fetchone()
    assert dead == ("offline",), "a flat battery leaves the sensor offline"


def test_closed_loop_a_delivery_in_the_database_shows_up_in_ingested_levels(
    db: Conn, broker: LocalBroker, ingest_process: subprocess.Popen[bytes]
) -> None:
    table = scenario_table()
    table["faults"] = {}
    for point in table["stock_points"]:  # type: ignore[attr-defined]
        point.update(refill={}, start_level=10)  # only the delivery below refills
    scenario = parse_scenario(table)
    midnight = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    start = midnight - timedelta(days=3)
    ids = load_into_database(db, scenario, start - timedelta(days=1))
    series, sensor = "c:n", "s-c-n"
    arrive = start + timedelta(days=1, hours=2)

    def planner(world: World) -> None:  # stands in for replenish/: an order is delivered
        if world.now == start + timedelta(days=1):
            queries.record_delivery(db, ids[series], arrive, 20.0, "order-1/line-1")

    world = World(scenario, seed=8, start=start, days=2)
    with MqttPublisher(BrokerAddress(host="127.0.0.1", port=broker.port)) as publisher:
        run_accelerated(world, publisher, source=DbDeliveries(db), on_step=planner)
    untouched = World(scenario, seed=8, start=start, days=2)
    untouched.run()
    later = arrive + timedelta(hours=3)
    truth = world.truth().set_index(["series_id", "time"])
    counterfactual = untouched.truth().set_index(["series_id", "time"])
    assert truth.loc[(series, arrive), "delivered"] == 20.0
    without = counterfactual.loc[(series, later), "true_level"]
    assert truth.loc[(series, later), "true_level"] > without

    def ingested_at(when: datetime) -> float | None:
        row = db.execute(
            "SELECT quantity FROM readings WHERE sensor_id = %s AND time >= %s "
            "ORDER BY time LIMIT 1",
            (sensor, when),
        ).fetchone()
        return None if row is None else float(row[0])  # type: ignore[arg-type]

    wait_for(lambda: ingested_at(later) is not None, "readings after the delivery")
    seen = ingested_at(later)
    assert seen is not None and seen > without + 10, "restock sees the delivered stock"
