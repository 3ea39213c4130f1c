"""The shipped broker config: devices publish only as themselves; workers share load."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import paho.mqtt.client as mqtt
import psycopg
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from restock.core.clock import SystemClock
from restock.core.local_broker import LocalBroker
from restock.ingest.service import Ingester
from tests.support.ingest import ingest_settings
from tests.support.world import Conn, add_sensor, count, publish_all, wait_for

TS = datetime(2026, 11, 1, tzinfo=UTC)


def device(broker: LocalBroker, username: str) -> mqtt.Client:
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=username, protocol=mqtt.MQTTv5)
    client.username_pw_set(username, broker.users[username])
    client.connect("127.0.0.1", broker.port)
    client.loop_start()
    return client


def test_acl_lets_a_device_publish_only_under_its_own_id(
    database_url: str, db: Conn, tmp_path: Path
) -> None:
    users = {"restock": "ingest-secret", "shelf-1": "pw1", "shelf-2": "pw2"}
    with LocalBroker(workdir=tmp_path / "auth-broker", users=users) as broker:
        add_sensor(db, "shelf-1")
        add_sensor(db, "shelf-2")
        settings = ingest_settings(database_url, broker).model_copy(
            update={"mqtt_url": broker.url_for("restock")}
        )
        ingester = Ingester(settings, SystemClock())
        ingester.start()
        try:
            assert ingester.subscriber.connected.wait(10), "ingest user may not subscribe"
            one = device(broker, "shelf-1")
            own = {"ts": TS.isoformat(), "value": 1}
            forged = {"ts": TS.isoformat(), "value": 99}
            publish_all(one, [("restock/v1/sensors/shelf-2/level", forged)])
            publish_all(one, [("restock/v1/sensors/shelf-1/level", own)])
            wait_for(lambda: count(db, "SELECT count(*) FROM readings") >= 1, what="own reading")
            rows = db.execute("SELECT sensor_id, raw_value FROM readings").fetchall()
            assert rows == [("shelf-1", 1.0)]
            one.disconnect()
            one.loop_stop()
            intruder = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
            intruder.username_pw_set("shelf-1", "wrong password")
            answers: list[object] = []
            intruder.on_connect = lambda client, userdata, flags, code, props: answers.append(code)
            intruder.connect("127.0.0.1", broker.port)
            intruder.loop_start()
            wait_for(lambda: bool(answers), what="the broker's answer")
            intruder.loop_stop()
            assert str(answers[0]) == "Not authorized"
        finally:
            ingester.stop()


@pytest.mark.parametrize("protocol", ["5", "3.1.1"])
def test_two_workers_share_one_stream(
    database_url: str, broker: LocalBroker, protocol: str
) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        add_sensor(conn, "shared", capacity=10_000)
    workers = [
        Ingester(
            ingest_settings(
                database_url, broker, mqtt_client_id=f"worker-{i}", mqtt_protocol=protocol
            ),
            SystemClock(),
        )
        for i in range(2)
    ]
    for worker in workers:
        worker.start()
        assert worker.subscriber.connected.wait(10)
    publisher = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    publisher.connect("127.0.0.1", broker.port)
    publisher.loop_start()
    try:
        total = 2000
        publish_all(
            publisher,
            [
                (
                    "restock/v1/sensors/shared/level",
                    {"ts": (TS + timedelta(seconds=i)).isoformat(), "value": 5},
                )
                for i in range(total)
            ],
        )
        wait_for(
            lambda: sum(w.metrics.written._value.get() for w in workers) == total,
            what="the stream written",
        )
        shares = [w.metrics.received._value.get() for w in workers]
        assert sum(shares) == total
        assert min(shares) > total * 0.3, f"load not shared: {shares}"
    finally:
        for worker in workers:
            worker.stop()
        publisher.disconnect()
        publisher.loop_stop()
    with psycopg.connect(database_url) as conn:
        assert count(conn, "SELECT count(*) FROM readings") == total
