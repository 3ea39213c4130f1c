"""`restock simulate` end to end, and live mode publishing nothing before its time."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pandas as pd
import psycopg

from restock.core.clock import SystemClock
from restock.core.local_broker import LocalBroker
from restock.simulators.publisher import BrokerAddress, MqttPublisher, ScaledClock
from restock.simulators.runner import run_live
from restock.simulators.scenario_file import load_scenario
from restock.simulators.world import World, floor_hour
from tests.integration.test_sim_publish import Collector

Conn = psycopg.Connection[tuple[object, ...]]


def test_simulate_command_loads_publishes_and_exports(
    db: Conn, database_url: str, broker: LocalBroker, tmp_path: Path
) -> None:
    collector = Collector(broker.port)
    env = dict(os.environ, RESTOCK_DATABASE_URL=database_url, RESTOCK_MQTT_URL=broker.url)
    levels, truth = tmp_path / "levels.csv", tmp_path / "truth"
    done = subprocess.run(
        [
            sys.executable, "-m", "restock.cli.main", "simulate", "--scenario", "demo",
            "--days", "2", "--seed", "3", "--accelerated", "--export-levels", str(levels),
            "--export-truth", str(truth),
        ],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "messages" in done.stdout
    row = db.execute("SELECT count(*) FROM sensors WHERE installed_at < now() - interval '2 days'")
    assert row.fetchone() == (len(load_scenario("demo").stock_points),)
    frame = pd.read_csv(levels)
    assert list(frame.columns) == ["series_id", "time", "level"] and len(frame) > 100
    assert (truth / "truth_hourly.parquet").exists() and (truth / "faults.csv").exists()
    last = pd.to_datetime(frame["time"], utc=True).max()
    assert last <= pd.Timestamp.now(tz="UTC") + pd.Timedelta(minutes=5), "history ends now"
    collector.wait_for(10)
    collector.stop()
    assert any(t.endswith("/level") for t, _, _ in collector.messages)


def test_live_mode_publishes_each_reading_once_its_time_has_come(broker: LocalBroker) -> None:
    speed = 7200.0  # six simulated hours in three seconds
    scenario = load_scenario("demo")
    wall = SystemClock()
    world = World(scenario, seed=4, start=floor_hour(wall.now()) - timedelta(hours=6), days=0.25)
    clock = ScaledClock(wall, world.start, speed)
    received: list[tuple[datetime, bytes]] = []
    collector = Collector(broker.port)
    collector.client.on_message = lambda _c, _u, m: received.append((clock.now(), m.payload))
    with MqttPublisher(BrokerAddress(host="127.0.0.1", port=broker.port)) as publisher:
        stats = run_live(world, publisher, clock, stop=threading.Event())
    deadline = datetime.now(UTC) + timedelta(seconds=10)
    while len(received) < stats.messages and datetime.now(UTC) < deadline:
        threading.Event().wait(0.05)
    collector.stop()
    assert len(received) == stats.messages > 0
    for seen_at, payload in received:
        if payload in (b"online", b"offline"):
            continue
        try:
            doc = orjson.loads(payload)
        except orjson.JSONDecodeError:
            continue
        items = doc if isinstance(doc, list) else [doc]
        for item in items:
            if (
                isinstance(item, dict)
                and isinstance(item.get("ts"), str)
                and item["ts"].endswith("Z")
            ):
                ts = datetime.fromisoformat(item["ts"])
                assert seen_at >= ts - timedelta(minutes=10), "published before its time"
    assert world.now == world.end
