"""Triggers reach reps over a real mosquitto (QoS 1, once per cause) and a webhook."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import httpx
import orjson
import paho.mqtt.client as mqtt
import psycopg
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from restock.core.local_broker import LocalBroker
from restock.replenish.job import run_replenish_job
from restock.replenish.triggers.dispatch import (
    MqttPublisher,
    WebhookConfig,
    dispatch_triggers,
    send_webhooks,
)
from tests.integration.test_replenish_job import AS_OF, add_forecast, setup_world

Conn = psycopg.Connection[Any]


def listen(broker: LocalBroker) -> tuple[mqtt.Client, list[dict[str, Any]]]:
    got: list[dict[str, Any]] = []
    ready = threading.Event()
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="rep-app", protocol=mqtt.MQTTv5)
    client.on_message = lambda _c, _u, msg: got.append(
        {"topic": msg.topic, **orjson.loads(msg.payload)}
    )
    client.on_subscribe = lambda *_a: ready.set()
    client.on_connect = lambda c, *_a: c.subscribe("restock/v1/reps/+/triggers", qos=1)
    client.connect("127.0.0.1", broker.port)
    client.loop_start()
    assert ready.wait(10)
    return client, got


def wait_for(got: list[Any], n: int) -> None:
    deadline = time.monotonic() + 10
    while len(got) < n and time.monotonic() < deadline:
        time.sleep(0.02)


def test_triggers_are_published_with_their_purpose_once(db: Conn, broker: LocalBroker) -> None:
    ids = setup_world(db, battery=0.05)
    add_forecast(db, ids["milk"], as_of=AS_OF, level=30, rate=0.5, out_in=(30, 70))
    run_replenish_job(db, as_of=AS_OF)
    client, got = listen(broker)
    try:
        with MqttPublisher(host="127.0.0.1", port=broker.port) as pub:
            assert dispatch_triggers(db, pub, at=AS_OF) == 2
            run_replenish_job(db, as_of=AS_OF + timedelta(hours=1))
            assert dispatch_triggers(db, pub, at=AS_OF + timedelta(hours=1)) == 0
        wait_for(got, 2)
        time.sleep(0.2)
    finally:
        client.disconnect()
        client.loop_stop()
    assert sorted(m["purpose"] for m in got) == ["battery_low", "stockout_risk"]
    assert {m["topic"] for m in got} == {"restock/v1/reps/r1/triggers"}
    assert all(m["due_by"] and m["trigger_id"] for m in got)


class Flaky(BaseHTTPRequestHandler):
    """Answers 503 to the first request, 200 afterwards; keeps the bodies."""

    calls: ClassVar[list[bytes]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["content-length"]))
        Flaky.calls.append(body)
        self.send_response(503 if len(Flaky.calls) == 1 else 200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture
def webhook() -> Iterator[str]:
    Flaky.calls = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Flaky)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    finally:
        server.shutdown()
        server.server_close()


def test_webhook_retries_a_temporary_failure_and_then_stops(db: Conn, webhook: str) -> None:
    ids = setup_world(db, battery=0.05)
    add_forecast(db, ids["milk"], as_of=AS_OF, level=30, rate=0.5, out_in=(30, 70))
    run_replenish_job(db, as_of=AS_OF)
    cfg = WebhookConfig(url=webhook, retries=2, backoff_s=0.01)
    with httpx.Client() as client:
        assert send_webhooks(db, client, cfg, at=AS_OF) == 2
        assert send_webhooks(db, client, cfg, at=AS_OF) == 0
    assert len(Flaky.calls) == 3  # one 503, retried, then one per trigger
    purposes = {orjson.loads(b)["purpose"] for b in Flaky.calls}
    assert purposes == {"battery_low", "stockout_risk"}
