"""Accelerated history reaches the broker: every sent reading, on the contract's topics."""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import UTC, datetime

import orjson
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from restock.core.local_broker import LocalBroker
from restock.simulators.publisher import BrokerAddress, MqttPublisher
from restock.simulators.runner import run_accelerated
from restock.simulators.scenario_file import load_scenario
from restock.simulators.world import World

START = datetime(2026, 9, 1, tzinfo=UTC)


class Collector:
    """A plain subscriber on restock/v1/sensors/#, keeping every message."""

    def __init__(self, port: int) -> None:
        self.messages: list[tuple[str, bytes, bool]] = []
        self.ready = threading.Event()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="sim-collector")
        self.client.on_connect = lambda c, *_: c.subscribe("restock/v1/sensors/#", qos=1)
        self.client.on_subscribe = lambda *_: self.ready.set()
        self.client.on_message = lambda _c, _u, m: self.messages.append(
            (m.topic, m.payload, bool(m.retain))
        )
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        assert self.ready.wait(10)

    def wait_for(self, count: int, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def test_accelerated_run_publishes_every_sent_reading(broker: LocalBroker) -> None:
    collector = Collector(broker.port)
    world = World(load_scenario("demo"), seed=11, start=START, days=20)
    address = BrokerAddress(host="127.0.0.1", port=broker.port)
    with MqttPublisher(address, client_id="sim-test") as publisher:
        readings, stats = run_accelerated(world, publisher, batch=12)
    collector.wait_for(stats.messages)
    collector.stop()
    assert len(collector.messages) == stats.messages

    sent = readings[readings["sent"]]
    good = sent[sent["malformed"] == ""]
    received: Counter[str] = Counter()
    arrays = broken = 0
    for topic, payload, _ in collector.messages:
        parts = topic.split("/")
        assert parts[:3] == ["restock", "v1", "sensors"] and parts[4] in ("level", "status")
        if parts[4] == "status":
            assert payload in (b"online", b"offline")
            continue
        try:
            doc = orjson.loads(payload)
        except orjson.JSONDecodeError:
            broken += 1
            continue
        items = doc if isinstance(doc, list) else [doc]
        arrays += isinstance(doc, list)
        for item in items:
            if isinstance(item.get("value"), float) and "ts" in item and item["ts"].endswith("Z"):
                received[parts[3]] += 1
    expected = good.groupby("sensor_id", observed=True).size() + good[good["duplicate"]].groupby(
        "sensor_id", observed=True
    ).size().reindex(good["sensor_id"].cat.categories, fill_value=0)
    assert dict(received) == {k: int(v) for k, v in expected.items() if v}
    assert arrays > 0, "gateway batching sends JSON arrays"
    assert broken == (sent["malformed"] == "not_json").sum()
    assert any(t.endswith("/status") for t, _, _ in collector.messages)
