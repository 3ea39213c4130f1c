"""Ingest throughput against the ceiling of a Python MQTT client on this machine.

In one run, on a private mosquitto (the project's config) and a fresh database:
  (a) a bare paho-mqtt subscriber that only counts messages (auto-ack, QoS 1);
  (b) restock's ingester end to end: parse, validate, COPY, commit, then ack;
each draining the same backlog of single-reading messages, published beforehand by a
separate process into the subscriber's persistent session. Then (c) restock again on
50-reading gateway batches. Afterwards the database is checked: every reading stored
once (lost, duplicates).

Usage: python bench/ingest.py [--quick] [--messages N] [--batches N]
The last line printed is a JSON object.
"""

from __future__ import annotations

import argparse
import json
import logging
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import deque
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import paho.mqtt.client as mqtt
import psycopg
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from restock.core.clock import SystemClock
from restock.core.db import drop_database, ensure_database, with_database
from restock.core.local_broker import LocalBroker
from restock.core.migrate import migrate
from restock.core.settings import Settings
from restock.ingest.service import Ingester

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
SENSORS = 1000
BASE = datetime(2026, 1, 1, tzinfo=UTC)
BATCH_BASE = BASE + timedelta(days=60)  # batches never repeat a single reading's timestamp
TOPIC = "restock/v1/sensors/bench-{:04d}/level"


# -- publisher (runs in its own process) ---------------------------------------------


def publish(port: int, kind: str, count: int, offset: int) -> None:
    """Publish `count` messages at QoS 1: single readings, or 50-reading batches."""
    client = mqtt.Client(
        CallbackAPIVersion.VERSION2,
        client_id=f"bench-pub-{uuid.uuid4().hex[:6]}",
        protocol=mqtt.MQTTv5,
    )
    client.max_inflight_messages_set(2000)
    client.max_queued_messages_set(0)
    client.connect("127.0.0.1", port)
    client.loop_start()
    infos: deque[mqtt.MQTTMessageInfo] = deque()
    for i in range(offset, offset + count):
        if len(infos) >= 30_000:  # message ids wrap at 65535: bound what is outstanding
            infos.popleft().wait_for_publish(timeout=120)
        sensor = i % SENSORS
        if kind == "single":
            ts = BASE + timedelta(seconds=i // SENSORS)
            payload = orjson.dumps({"ts": ts.isoformat(), "value": 500.0 + i % 7, "seq": i})
        else:
            start = (i // SENSORS) * 50
            payload = orjson.dumps(
                [
                    {
                        "ts": (BATCH_BASE + timedelta(seconds=start + k)).isoformat(),
                        "value": 400.0 + k,
                        "seq": start + k,
                    }
                    for k in range(50)
                ]
            )
        infos.append(client.publish(TOPIC.format(sensor), payload, qos=1))
    for info in infos:
        info.wait_for_publish(timeout=120)
    client.disconnect()
    client.loop_stop()


def publish_in_child(port: int, kind: str, count: int, offset: int) -> float:
    started = time.monotonic()
    subprocess.run(
        [sys.executable, __file__, "--publish", str(port), kind, str(count), str(offset)],
        check=True,
    )
    return time.monotonic() - started


# -- subscribers ----------------------------------------------------------------------


def session_props() -> Properties:
    props = Properties(PacketTypes.CONNECT)
    props.SessionExpiryInterval = 3600
    props.ReceiveMaximum = 65535
    return props


def bare_subscriber_rate(broker: LocalBroker, count: int) -> tuple[float, float]:
    """(messages/s, CPU µs/message) of a counting-only paho subscriber draining a
    queued backlog."""
    received = 0
    done = threading.Event()
    subscribed = threading.Event()

    def on_connect(client, userdata, flags, code, props):  # type: ignore[no-untyped-def]
        client.subscribe("restock/v1/sensors/+/level", qos=1)

    def on_subscribe(*args):  # type: ignore[no-untyped-def]
        subscribed.set()

    def on_message(client, userdata, msg):  # type: ignore[no-untyped-def]
        nonlocal received
        received += 1
        if received >= count:
            done.set()

    def client() -> mqtt.Client:
        c = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="bench-bare", protocol=mqtt.MQTTv5)
        c.on_connect, c.on_subscribe, c.on_message = on_connect, on_subscribe, on_message
        return c

    first = client()  # create the persistent session, then leave
    first.connect("127.0.0.1", broker.port, clean_start=True, properties=session_props())
    first.loop_start()
    subscribed.wait(10)
    first.disconnect()
    first.loop_stop()
    publish_in_child(broker.port, "single", count, 0)
    second = client()
    started, cpu = time.monotonic(), time.process_time()
    second.connect("127.0.0.1", broker.port, clean_start=False, properties=session_props())
    second.loop_start()
    if not done.wait(600):
        raise RuntimeError(f"bare subscriber got {received} of {count}")
    elapsed, cpu = time.monotonic() - started, time.process_time() - cpu
    leave = Properties(PacketTypes.DISCONNECT)
    leave.SessionExpiryInterval = 0  # end the session: it must not take later messages
    second.disconnect(properties=leave)
    second.loop_stop()
    return count / elapsed, cpu / count * 1e6


def ingest_rate(
    settings: Settings, broker: LocalBroker, kind: str, count: int, offset: int
) -> tuple[float, float]:
    """(messages/s, CPU µs/message) of restock's ingester draining a queued backlog:
    every message committed and acked."""
    first = Ingester(settings, SystemClock(), serve_metrics=False)
    first.start()
    first.subscriber.connected.wait(10)
    first.stop()  # session and subscription stay on the broker
    publish_in_child(broker.port, kind, count, offset)
    ingester = Ingester(settings, SystemClock(), serve_metrics=False)
    started, cpu = time.monotonic(), time.process_time()
    ingester.start()
    acked = ingester.metrics.acked
    deadline = started + 900
    while acked._value.get() < count:
        if time.monotonic() > deadline:
            raise RuntimeError(f"ingest acked {acked._value.get()} of {count}")
        time.sleep(0.01)
    elapsed, cpu = time.monotonic() - started, time.process_time() - cpu
    ingester.stop()
    return count / elapsed, cpu / count * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="about a minute")
    parser.add_argument("--messages", type=int, help="single-reading messages")
    parser.add_argument("--batches", type=int, help="50-reading gateway messages")
    parser.add_argument("--publish", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.publish:
        port, kind, count, offset = args.publish
        publish(int(port), kind, int(count), int(offset))
        return
    messages = args.messages or (100_000 if args.quick else 400_000)
    batches = args.batches or (10_000 if args.quick else 40_000)
    logging.basicConfig(level=logging.WARNING)

    url = with_database(ADMIN_URL, f"restock_bench_{uuid.uuid4().hex[:8]}")
    ensure_database(url)
    try:
        migrate(url)
        with psycopg.connect(url, autocommit=True) as conn, conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO sensors (id, kind, unit) VALUES (%s, 'shelf_count', 'count')",
                [(f"bench-{i:04d}",) for i in range(SENSORS)],
            )
        with tempfile.TemporaryDirectory() as tmp, LocalBroker(workdir=Path(tmp)) as broker:
            settings = Settings(
                database_url=url,
                mqtt_url=broker.url,
                mqtt_client_id="bench-ingest",
                mqtt_share_group="bench",
            )
            bare, bare_cpu = bare_subscriber_rate(broker, messages)
            print(f"bare paho subscriber (count only):  {bare:9,.0f} msg/s, "
                  f"{bare_cpu:5.1f} µs CPU/msg")  # fmt: skip
            ingest, ingest_cpu = ingest_rate(settings, broker, "single", messages, 0)
            print(f"restock ingest, single readings:    {ingest:9,.0f} msg/s, "
                  f"{ingest_cpu:5.1f} µs CPU/msg")  # fmt: skip
            rate, batch_cpu = ingest_rate(settings, broker, "batch", batches, 0)
            batched = rate * 50
            print(f"restock ingest, 50-reading batches: {batched:9,.0f} readings/s, "
                  f"{batch_cpu / 50:5.1f} µs CPU/reading")  # fmt: skip
        with psycopg.connect(url) as conn:
            rows, distinct = conn.execute(
                "SELECT count(*), count(DISTINCT (sensor_id, time)) FROM readings"
            ).fetchone()  # type: ignore[misc]
        expected = messages + batches * 50
        lost = expected - rows
        print(
            f"rows {rows:,} (expected {expected:,}), lost {lost}, duplicate rows {rows - distinct}"
        )
    finally:
        drop_database(url)
    print(
        json.dumps(
            {
                "bare_msgs_per_s": round(bare),
                "ingest_msgs_per_s": round(ingest),
                "ratio": round(ingest / bare, 3),
                "bare_cpu_us_per_msg": round(bare_cpu, 1),
                "ingest_cpu_us_per_msg": round(ingest_cpu, 1),
                "batched_readings_per_s": round(batched),
                "lost": lost,
                "duplicates": rows - distinct,
                "messages": messages,
                "batched_readings": batches * 50,
            }
        )
    )


if __name__ == "__main__":
    main()
