"""Small helpers for tests: register a stock point with a sensor, publish, wait."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import datetime

import orjson
import paho.mqtt.client as mqtt
import psycopg
from paho.mqtt.enums import CallbackAPIVersion

Conn = psycopg.Connection[tuple[object, ...]]


def add_sensor(
    conn: Conn,
    sensor_id: str,
    *,
    kind: str = "shelf_weight",
    unit: str = "g",
    tare: float = 0.0,
    scale: float = 1.0,
    capacity: float = 100.0,
    enabled: bool = True,
    installed_at: datetime | None = None,
) -> int:
    """A stock point (with rep, customer, product) watched by a new sensor; returns its id."""
    conn.execute(
        "INSERT INTO reps (id, name, depot_lat, depot_lon) VALUES ('rep-1', 'Rep', 35.68, 139.76)"
        " ON CONFLICT DO NOTHING"
    )
    conn.execute(
        "INSERT INTO customers (id, name, segment, rep_id, lat, lon)"
        " VALUES ('cust-1', 'Shop', 'A', 'rep-1', 35.7, 139.7) ON CONFLICT DO NOTHING"
    )
    conn.execute(
        "INSERT INTO products (id, name) VALUES (%s, 'Product') ON CONFLICT DO NOTHING",
        (f"prod-{sensor_id}",),
    )
    row = conn.execute(
        "INSERT INTO stock_points (customer_id, product_id, capacity)"
        " VALUES ('cust-1', %s, %s) RETURNING id",
        (f"prod-{sensor_id}", capacity),
    ).fetchone()
    assert row is not None
    stock_point = int(row[0])  # type: ignore[call-overload]
    conn.execute(
        "INSERT INTO sensors (id, stock_point_id, kind, unit, tare, scale, enabled, installed_at)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, coalesce(%s::timestamptz, '2000-01-01T00:00:00Z'))",
        (sensor_id, stock_point, kind, unit, tare, scale, enabled, installed_at),
    )
    return stock_point


def publisher(port: int, client_id: str = "test-publisher") -> mqtt.Client:
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
    client.max_inflight_messages_set(1000)
    client.max_queued_messages_set(0)
    client.connect("127.0.0.1", port)
    client.loop_start()
    return client


def publish_all(client: mqtt.Client, messages: Iterable[tuple[str, bytes | object]]) -> None:
    """Publish (topic, payload) pairs at QoS 1 and wait until the broker has them all."""
    infos = []
    for topic, payload in messages:
        data = payload if isinstance(payload, bytes) else orjson.dumps(payload)
        infos.append(client.publish(topic, data, qos=1))
    for info in infos:
        info.wait_for_publish(timeout=30)


def wait_for(predicate: Callable[[], bool], timeout: float = 20.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def count(conn: Conn, sql: str, *params: object) -> int:
    row = conn.execute(sql, params).fetchone()
    assert row is not None
    return int(row[0])  # type: ignore[call-overload]
