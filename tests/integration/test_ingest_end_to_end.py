"""A sensor publishes over MQTT; the reading is in PostgreSQL, calibrated."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from restock.core.local_broker import LocalBroker
from restock.ingest.service import Ingester
from tests.support.world import Conn, add_sensor, count, publish_all, publisher, wait_for


def test_published_reading_lands_calibrated(
    db: Conn, broker: LocalBroker, ingester: Ingester
) -> None:
    add_sensor(db, "shelf-1", tare=500.0, scale=0.01, capacity=100)  # 10 g per unit
    pub = publisher(broker.port)
    ts = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
    publish_all(
        pub,
        [
            (
                "restock/v1/sensors/shelf-1/level",
                {"ts": ts.isoformat(), "value": 1250.0, "seq": 7, "battery": 0.8},
            )
        ],
    )
    wait_for(lambda: count(db, "SELECT count(*) FROM readings") == 1, what="the reading")
    row = db.execute("SELECT time, raw_value, quantity, seq FROM readings").fetchone()
    assert row == (ts, 1250.0, pytest.approx(7.5), 7)
    sensor = db.execute("SELECT battery, status, last_reading_at FROM sensors").fetchone()
    assert sensor == (0.8, "online", ts)
    pub.disconnect()


def test_gateway_backlog_out_of_order_and_duplicates(
    db: Conn, broker: LocalBroker, ingester: Ingester
) -> None:
    add_sensor(db, "line-7", kind="line_bin", unit="percent", scale=2.0, capacity=200)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    backlog = [{"ts": (start + timedelta(hours=h)).isoformat(), "value": 90 - h} for h in range(48)]
    backlog.reverse()  # a gateway may flush newest first
    pub = publisher(broker.port)
    publish_all(pub, [("restock/v1/sensors/line-7/level", backlog)])
    # ten of them again (the gateway did not see our ack): counted, not stored twice
    publish_all(pub, [("restock/v1/sensors/line-7/level", backlog[:10])])
    duplicates = ingester.metrics.duplicates._value
    wait_for(lambda: duplicates.get() == 10, what="10 duplicates")  # the second batch is in
    assert count(db, "SELECT count(*) FROM readings") == 48
    low = db.execute("SELECT quantity FROM readings ORDER BY time DESC LIMIT 1").fetchone()
    assert low == (pytest.approx((90 - 47) * 2.0),)
    pub.disconnect()


def test_status_topic_tracks_online_offline(
    db: Conn, broker: LocalBroker, ingester: Ingester
) -> None:
    add_sensor(db, "shelf-2")
    pub = publisher(broker.port)
    publish_all(pub, [("restock/v1/sensors/shelf-2/status", b"offline")])
    wait_for(
        lambda: db.execute("SELECT status FROM sensors").fetchone() == ("offline",),
        what="offline status",
    )
    publish_all(pub, [("restock/v1/sensors/shelf-2/status", b'{"status": "online"}')])
    wait_for(
        lambda: db.execute("SELECT status FROM sensors").fetchone() == ("online",),
        what="online status",
    )
    pub.disconnect()
