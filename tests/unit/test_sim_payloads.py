"""MQTT messages follow the contract: topics, JSON fields, gateway arrays, broken
payloads that stand for malformed readings, retained status changes."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson
import pandas as pd

from restock.simulators.payloads import level_messages, status_messages
from restock.simulators.scenario_file import parse_scenario
from restock.simulators.world import World

START = datetime(2026, 9, 1, tzinfo=UTC)


def world_with(**faults: object) -> tuple[World, pd.DataFrame]:
    sc = parse_scenario(
        {
            "products": [{"id": "p", "name": "P", "unit_weight_g": 100.0}],
            "customers": [{"id": "c", "name": "C", "segment": "A"}],
            "stock_points": [
                {
                    "customer": "c",
                    "product": "p",
                    "capacity": 50,
                    "sensor": {"kind": "shelf_weight", "id": "w1", "interval_minutes": 10},
                }
            ],
            "faults": faults,
        }
    )
    world = World(sc, seed=9, start=START, days=2)
    return world, world.run()


def test_single_readings_carry_the_contract_fields() -> None:
    _, readings = world_with()
    messages = level_messages(readings, "restock/v1")
    assert len(messages) == len(readings)
    first = messages[0]
    assert first.topic == "restock/v1/sensors/w1/level" and not first.retain
    doc = orjson.loads(first.payload)
    assert set(doc) == {"ts", "value", "seq", "battery"}
    assert doc["ts"].endswith("Z") and datetime.fromisoformat(doc["ts"]) == readings["ts"].iloc[0]
    assert doc["value"] == readings["raw"].iloc[0] and doc["seq"] == 0
    assert [m.at for m in messages] == sorted(m.at for m in messages)


def test_gateway_batching_sends_arrays_of_consecutive_readings() -> None:
    _, readings = world_with()
    messages = level_messages(readings, "restock/v1", batch=24)
    docs = [orjson.loads(m.payload) for m in messages]
    assert all(isinstance(d, list) for d in docs)
    assert sum(len(d) for d in docs) == len(readings) == sum(m.readings for m in messages)
    seqs = [item["seq"] for d in docs for item in d]
    assert seqs == sorted(seqs)


def test_duplicates_go_twice_and_backlogs_as_one_late_array() -> None:
    _, readings = world_with(duplicate_prob=0.2, offline_per_day=2.0, offline_mean_hours=3)
    messages = level_messages(readings, "restock/v1")
    sent = readings[readings["sent"]]
    arrays = [m for m in messages if m.payload.startswith(b"[")]
    assert arrays and sum(m.readings for m in arrays) == (sent["batch"] >= 0).sum()
    singles = len(messages) - len(arrays)
    assert singles == (sent["batch"] < 0).sum() + sent["duplicate"].sum()


def test_malformed_readings_are_sent_broken_in_each_way() -> None:
    _, readings = world_with(malformed_prob=0.5)
    messages = level_messages(readings, "restock/v1")
    broken = {"not_json": 0, "value_not_number": 0, "missing_ts": 0, "bad_ts": 0}
    for m in messages:
        try:
            doc = orjson.loads(m.payload)
        except orjson.JSONDecodeError:
            broken["not_json"] += 1
            continue
        if isinstance(doc["value"], str):
            broken["value_not_number"] += 1
        elif "ts" not in doc:
            broken["missing_ts"] += 1
        elif not doc["ts"].endswith("Z"):
            broken["bad_ts"] += 1
    kinds = readings["malformed"].astype(str).value_counts().to_dict()
    assert broken == {k: kinds.get(k, 0) for k in broken}
    assert min(broken.values()) > 0


def test_status_changes_are_retained_online_offline() -> None:
    world, _ = world_with(offline_per_day=2.0)
    messages = status_messages(world.plan.statuses(0, 2 * 86400), "restock/v1")
    assert messages and all(m.retain for m in messages)
    assert {m.payload for m in messages} == {b"online", b"offline"}
    assert all(m.topic == "restock/v1/sensors/w1/status" for m in messages)
