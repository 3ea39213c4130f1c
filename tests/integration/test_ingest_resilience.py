"""Crashes and database outages lose nothing: every reading lands exactly once."""

from __future__ import annotations

import signal
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
from psycopg import sql

from restock.core.db import database_name
from restock.core.local_broker import LocalBroker, free_port
from restock.ingest.service import Ingester
from tests.conftest import ADMIN_URL
from tests.support.ingest import metrics_text, start_ingest_process
from tests.support.world import Conn, add_sensor, count, publish_all, publisher, wait_for

START = datetime(2026, 10, 1, tzinfo=UTC)


def readings(sensor: str, n: int, offset: int = 0) -> list[tuple[str, object]]:
    return [
        (
            f"restock/v1/sensors/{sensor}/level",
            {"ts": (START + timedelta(seconds=i)).isoformat(), "value": 50.0, "seq": i},
        )
        for i in range(offset, offset + n)
    ]


def test_kill_9_with_messages_in_flight_loses_nothing(
    db: Conn, database_url: str, broker: LocalBroker, tmp_path: Path
) -> None:
    log = tmp_path / "ingest.log"
    total = 40_000
    add_sensor(db, "s-crash", capacity=1000)
    metrics_port = free_port()
    first = start_ingest_process(database_url, broker, metrics_port, log)
    pub = publisher(broker.port)
    try:
        sender = threading.Thread(target=publish_all, args=(pub, readings("s-crash", total)))
        sender.start()
        wait_for(lambda: count(db, "SELECT count(*) FROM readings") >= 3000, what="ingest running")
        first.send_signal(signal.SIGKILL)
        first.wait()
        at_kill = count(db, "SELECT count(*) FROM readings")
        sender.join()
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    assert at_kill < total, "the kill came too late to test anything"
    second = start_ingest_process(database_url, broker, metrics_port, log)
    try:
        wait_for(
            lambda: count(db, "SELECT count(*) FROM readings") == total,
            timeout=120,
            what=f"all {total} readings after restart",
        )
        assert count(db, "SELECT count(DISTINCT seq) FROM readings") == total
        # the broker redelivered what the dead process had received but not acked
        assert "restock_ingest_readings_duplicate_total" in metrics_text(metrics_port)
    finally:
        second.terminate()
        code = second.wait(timeout=30)
        pub.disconnect()
    assert code == 0, log.read_text()


def set_database_reachable(database_url: str, reachable: bool) -> None:
    """Make the test database refuse (and drop) connections, or accept them again."""
    name = database_name(database_url)
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(
            sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS {}").format(
                sql.Identifier(name), sql.Literal(reachable)
            )
        )
        if not reachable:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (name,),
            )


def test_database_outage_mid_stream_loses_nothing(
    database_url: str, broker: LocalBroker, ingester: Ingester
) -> None:
    with psycopg.connect(database_url, autocommit=True) as setup:
        add_sensor(setup, "s-outage", capacity=1000)
    pub = publisher(broker.port)
    try:
        publish_all(pub, readings("s-outage", 2000))
        wait_for(lambda: ingester.metrics.written._value.get() == 2000, what="first half")
        set_database_reachable(database_url, False)
        try:
            publish_all(pub, readings("s-outage", 3000, offset=2000))
            wait_for(lambda: ingester.metrics.db_errors._value.get() >= 2, what="failed writes")
            assert not ingester.writer.healthy.is_set()
        finally:
            set_database_reachable(database_url, True)
        wait_for(
            lambda: ingester.metrics.written._value.get() == 5000,
            timeout=60,
            what="all after outage",
        )
    finally:
        pub.disconnect()
    with psycopg.connect(database_url) as conn:
        assert count(conn, "SELECT count(*) FROM readings") == 5000
        assert count(conn, "SELECT count(DISTINCT seq) FROM readings") == 5000


def test_broker_restart_mid_stream_loses_nothing(
    db: Conn, broker: LocalBroker, ingester: Ingester
) -> None:
    add_sensor(db, "s-broker", capacity=1000)
    pub = publisher(broker.port, client_id="pub-before")
    publish_all(pub, readings("s-broker", 500))
    wait_for(lambda: ingester.metrics.written._value.get() == 500, what="before restart")
    pub.disconnect()
    broker.stop()
    wait_for(lambda: not ingester.subscriber.connected.is_set(), what="disconnect noticed")
    broker.start()  # same port, same persistence directory
    wait_for(lambda: ingester.subscriber.connected.is_set(), timeout=30, what="reconnect")
    pub = publisher(broker.port, client_id="pub-after")
    publish_all(pub, readings("s-broker", 500, offset=500))
    wait_for(lambda: ingester.metrics.written._value.get() == 1000, what="after restart")
    pub.disconnect()
    assert count(db, "SELECT count(DISTINCT seq) FROM readings") == 1000
