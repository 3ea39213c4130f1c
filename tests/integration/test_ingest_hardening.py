"""No message can stop ingest, sink a batch, flood rejected_messages, be kept twice, or
lose a conflicting value unexplained (issue 12, items 1-5), through a real broker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import paho.mqtt.client as mqtt
import psycopg
import pytest

from restock.core.clock import SystemClock
from restock.core.local_broker import LocalBroker, free_port
from restock.ingest.service import Ingester
from tests.support.ingest import ingest_settings, kept, metrics_text, start_ingest_process
from tests.support.world import Conn, add_sensor, count, publish_all, publisher, wait_for

NOW = datetime.now(UTC).replace(microsecond=0)


def ts(minutes_ago: float) -> str:
    return (NOW - timedelta(minutes=minutes_ago)).isoformat()


def level(sensor: str) -> str:
    return f"restock/v1/sensors/{sensor}/level"


def values(db: Conn, sensor: str) -> list[float]:
    rows = db.execute(
        "SELECT raw_value FROM readings WHERE sensor_id = %s ORDER BY time", (sensor,)
    ).fetchall()
    return [float(r[0]) for r in rows]  # type: ignore[arg-type]


def written(db: Conn, sensor: str, n: int) -> None:
    wait_for(lambda: len(values(db, sensor)) >= n, what=f"{n} readings of {sensor}")


@pytest.fixture
def pub(broker: LocalBroker) -> Iterator[mqtt.Client]:
    client = publisher(broker.port)
    yield client
    client.disconnect()
    client.loop_stop()


# -- 1. one message cannot stop ingest ------------------------------------------------

DEEP = b"[" * 100_000 + b"]" * 100_000
HUGE = "1" + "0" * 399


def test_messages_that_broke_the_parser_are_kept_and_ingest_goes_on(
    db: Conn, pub: mqtt.Client, ingester: Ingester
) -> None:
    add_sensor(db, "s1")
    poison = [
        (DEEP, "malformed_json"),
        (f'{{"ts": "{ts(30)}", "value": {HUGE}}}'.encode(), "absurd_value"),
        (f'{{"ts": "{ts(29)}", "value": 1, "battery": {HUGE}}}'.encode(), "absurd_value"),
        (f'[{{"ts": "{ts(28)}", "value": {HUGE}}}, 7]'.encode(), "absurd_value"),
    ]
    for i, (payload, _reason) in enumerate(poison):
        # each poison message followed by a good reading: every one must be written
        publish_all(pub, [(level("s1"), payload), (level("s1"), {"ts": ts(20 - i), "value": i})])
    written(db, "s1", len(poison))
    assert values(db, "s1") == [0.0, 1.0, 2.0, 3.0]
    reasons = [reason for _t, reason, _p, _d in kept(db)]
    assert reasons == ["malformed_json", *["absurd_value"] * 3, "wrong_type"]
    assert ingester.failure() is None
    assert "restock_ingest_up 1.0" in metrics_text(ingester.metrics_port or 0)


def test_a_worker_that_cannot_go_on_exits_non_zero_and_its_message_is_redelivered(
    db: Conn, database_url: str, broker: LocalBroker, tmp_path: Path
) -> None:
    add_sensor(db, "s1")
    # the database refuses to keep any rejection: nothing about one message explains it
    db.execute("ALTER TABLE rejected_messages ADD CONSTRAINT refuse_all CHECK (false) NOT VALID")
    log = tmp_path / "ingest.log"
    port = free_port()
    worker = start_ingest_process(database_url, broker, port, log)
    pub = publisher(broker.port)
    try:
        publish_all(pub, [(level("s1"), b"{oops"), (level("s1"), {"ts": ts(5), "value": 4})])
        code = worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    assert code != 0, log.read_text()
    assert "refuse_all" in log.read_text()
    assert count(db, "SELECT count(*) FROM readings") == 0  # nothing acknowledged past it

    db.execute("ALTER TABLE rejected_messages DROP CONSTRAINT refuse_all")
    restarted = start_ingest_process(database_url, broker, port, log)
    try:
        written(db, "s1", 1)
        assert [reason for _t, reason, _p, _d in kept(db)] == ["malformed_json"]
    finally:
        restarted.terminate()
        assert restarted.wait(timeout=30) == 0
        pub.disconnect()


# -- 2. one bad timestamp (or row) cannot sink a batch ---------------------------------


def test_timestamps_postgresql_refuses_are_rejected_at_the_edge_not_with_the_batch(
    db: Conn, pub: mqtt.Client, ingester: Ingester
) -> None:
    sensors = [f"b{i}" for i in range(5)]
    for sensor in sensors:
        add_sensor(db, sensor)
    good = [
        (level(sensor), {"ts": ts(200 - i), "value": float(i)})
        for i in range(100)
        for sensor in sensors
    ]
    bad = [
        (level("b0"), b'{"ts": "2026-02-10T00:00:00+16:00", "value": 1}'),
        (level("b1"), orjson.dumps({"ts": ts(3) + "\u0000", "value": 1})),
        (level("b2"), orjson.dumps({"ts": ts(2)[:10] + "\u0000" + ts(2)[11:], "value": 1})),
        (level("b3"), b'{"ts": "9999-12-31T23:59:59-01:00", "value": 1}'),
    ]
    east, west = NOW - timedelta(minutes=2), NOW - timedelta(minutes=3)
    widest = timedelta(hours=15, minutes=59)
    edge = [  # the widest offsets PostgreSQL takes: written, at the right instant
        (level("b4"), {"ts": (east + widest).isoformat()[:19] + "+15:59", "value": 250.5}),
        (level("b4"), {"ts": (west - widest).isoformat()[:19] + "-15:59", "value": 251.5}),
    ]
    publish_all(pub, [*good[:250], *bad, *good[250:], *edge])
    wait_for(
        lambda: count(db, "SELECT count(*) FROM readings") == len(good) + len(edge),
        what="every good reading of the batch",
    )
    assert [(t, r) for t, r, _p, _d in kept(db)] == [(t, "bad_timestamp") for t, _ in bad]
    instants = db.execute(
        "SELECT time FROM readings WHERE raw_value IN (250.5, 251.5) ORDER BY raw_value"
    ).fetchall()
    assert [row[0] for row in instants] == [east, west]


@pytest.fixture
def refuses_13(db: Conn) -> None:
    """The database refuses any reading of 13: a refusal no validation foresaw."""
    db.execute("ALTER TABLE readings ADD CONSTRAINT no_13 CHECK (raw_value <> 13)")


def test_a_row_the_database_refuses_is_kept_alone_and_the_rest_written(
    db: Conn, pub: mqtt.Client, ingester: Ingester, refuses_13: None
) -> None:
    add_sensor(db, "r1")
    add_sensor(db, "r2")
    singles = [(level("r1"), {"ts": ts(100 - i), "value": float(i)}) for i in range(20)]
    array = [{"ts": ts(50 - i), "value": float(10 + i)} for i in range(6)]  # 13 at index 3
    publish_all(pub, [*singles, (level("r2"), array), (level("r1"), {"ts": ts(1), "value": 30})])
    written(db, "r1", 20)  # 19 singles but 13, and the last one
    written(db, "r2", 5)
    assert 13.0 not in values(db, "r1") and len(values(db, "r1")) == 20
    assert values(db, "r2") == [10.0, 11.0, 12.0, 14.0, 15.0]
    refused = kept(db)
    assert sorted((t, r) for t, r, _p, _d in refused) == [
        (level("r1"), "write_failed"),
        (level("r2"), "write_failed"),
    ]
    by_topic = {t: (orjson.loads(p), d) for t, _r, p, d in refused}
    assert by_topic[level("r1")][0] == {"ts": ts(87), "value": 13.0}
    assert by_topic[level("r2")][0] == {"ts": ts(47), "value": 13.0}
    assert all("no_13" in d for _p, d in by_topic.values())


def test_replay_of_write_failed_messages_writes_what_it_can_and_keeps_the_rest(
    db: Conn, database_url: str, refuses_13: None
) -> None:
    add_sensor(db, "p1")
    # what the old version kept when a batch was refused: every message as write_failed
    payloads = [orjson.dumps({"ts": ts(40 - i), "value": float(i)}) for i in range(4)] + [
        b'{"ts": "2026-02-10T00:00:00+16:00", "value": 1}',
        orjson.dumps({"ts": ts(10), "value": 13}),
        orjson.dumps([{"ts": ts(9), "value": 13}, {"ts": ts(8), "value": 5}]),
    ]
    for payload in payloads:
        db.execute(
            "INSERT INTO rejected_messages (received_at, topic, payload, reason, detail)"
            " VALUES (now(), %s, %s, 'write_failed', 'the database refused this batch')",
            (level("p1"), payload),
        )

    def replay() -> str:
        done = subprocess.run(
            [sys.executable, "-m", "restock.cli.main", "rejected", "replay",
             "--reason", "write_failed"],
            env=dict(os.environ, RESTOCK_DATABASE_URL=database_url),
            capture_output=True,
            text=True,
            timeout=60,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        return done.stdout

    out = replay()
    assert "examined 7, accepted 4 (5 readings written), still rejected 3" in out, out
    assert values(db, "p1") == [0.0, 1.0, 2.0, 3.0, 5.0]  # the array's good one too
    pending = db.execute(
        "SELECT payload FROM rejected_messages WHERE replayed_at IS NULL ORDER BY id"
    ).fetchall()
    assert [bytes(p) for (p,) in pending] == payloads[4:]  # type: ignore[call-overload]

    db.execute("ALTER TABLE readings DROP CONSTRAINT no_13")
    out = replay()
    assert "examined 3, accepted 2 (2 readings written), still rejected 1" in out, out
    assert sorted(values(db, "p1")) == [0.0, 1.0, 2.0, 3.0, 5.0, 13.0, 13.0]


# -- 3. one message cannot flood rejected_messages ------------------------------------


def test_an_array_of_many_or_mostly_bad_elements_is_one_row(
    db: Conn, pub: mqtt.Client, ingester: Ingester
) -> None:
    add_sensor(db, "a1", capacity=10_000)
    numbers = b"[" + b",".join([b"1"] * 100_000) + b"]"  # 200 KB
    empties = b"[" + b",".join([b"{}"] * 87_000) + b"]"
    mostly_bad = [{"ts": ts(300 - i), "value": 1.0} for i in range(10)] + [
        {"ts": ts(100 - i)} if i % 2 else {"value": 1} for i in range(150)
    ]
    few_bad = [{"ts": ts(20), "value": 2.0}, {"ts": "noon", "value": 1}, {"value": 1}]
    publish_all(
        pub,
        [
            (level("a1"), numbers),
            (level("a1"), empties),
            (level("a1"), mostly_bad),
            (level("a1"), few_bad),
            (level("a1"), {"ts": ts(1), "value": 3.0}),
        ],
    )
    written(db, "a1", 12)
    rows = kept(db)
    assert [r for _t, r, _p, _d in rows] == [
        "too_many_elements",
        "too_many_elements",
        "too_many_bad_elements",
        "bad_timestamp",
        "missing_field",
    ]
    assert "100000 elements" in rows[0][3] and "87000 elements" in rows[1][3]
    assert rows[2][2] == orjson.dumps(mostly_bad)  # the whole message, replayable
    assert "150 of 160 elements refused (missing_field 150)" in rows[2][3]
    assert [d.split(":")[0] for _t, _r, _p, d in rows[3:]] == ["element 1", "element 2"]
    assert values(db, "a1") == [1.0] * 10 + [2.0, 3.0]


# -- 4. a message is kept once, however often it comes --------------------------------


def test_a_resent_or_retained_bad_message_is_kept_once(
    db: Conn, database_url: str, broker: LocalBroker, pub: mqtt.Client
) -> None:
    add_sensor(db, "d1")
    settings = ingest_settings(database_url, broker, mqtt_share_group="")  # gets retained ones
    resent = orjson.dumps({"ts": ts(10), "value": -1})
    not_kept_again: list[float] = []
    for attempt in range(3):  # each start subscribes again: the broker resends the retained one
        worker = Ingester(settings, SystemClock(), serve_metrics=False)
        worker.start()
        try:
            assert worker.subscriber.connected.wait(10)
            if attempt == 0:
                publish_all(pub, [(level("d1"), resent)] * 3)
                retained = pub.publish(level("d1"), b"{retained garbage", qos=1, retain=True)
                retained.wait_for_publish(10)
            publish_all(pub, [(level("d1"), {"ts": ts(5 - attempt), "value": attempt})])
            written(db, "d1", attempt + 1)
            not_kept_again.append(worker.metrics.rejected_duplicates._value.get())
        finally:
            worker.stop()
    assert sorted((r, p) for _t, r, p, _d in kept(db)) == [
        ("malformed_json", b"{retained garbage"),
        ("negative_value", resent),
    ]
    assert not_kept_again == [2, 1, 1]  # two resent copies, then the retained one each time


def test_kill_9_mid_flood_keeps_each_bad_message_once(
    db: Conn, database_url: str, broker: LocalBroker, tmp_path: Path
) -> None:
    add_sensor(db, "k1", capacity=10_000)
    total = 20_000
    flood = [
        (level("k1"), {"ts": ts(20_000 - i), "value": float(i)} if i % 2 else {"seq": i})
        for i in range(total)
    ]
    log = tmp_path / "ingest.log"
    port = free_port()
    worker = start_ingest_process(database_url, broker, port, log)
    pub = publisher(broker.port)
    sender = threading.Thread(target=publish_all, args=(pub, flood))
    sender.start()
    try:
        for kill_after in (2000, 5000):
            # kill right after a commit, before its acknowledgements are all out: the
            # broker then delivers again messages whose rejections are already kept
            wait_for(
                lambda n=kill_after: count(db, "SELECT count(*) FROM readings") >= n,  # type: ignore[misc]
                timeout=60,
                what=f"{kill_after} readings",
            )
            seen = count(db, "SELECT count(*) FROM rejected_messages")
            while count(db, "SELECT count(*) FROM rejected_messages") == seen:
                pass
            worker.send_signal(signal.SIGKILL)
            worker.wait()
            worker = start_ingest_process(database_url, broker, port, log)
        sender.join()
        wait_for(
            lambda: count(db, "SELECT count(*) FROM readings") == total // 2,
            timeout=120,
            what="every reading after the restarts",
        )
        wait_for(
            lambda: count(db, "SELECT count(*) FROM rejected_messages") >= total // 2,
            what="every bad message kept",
        )
        assert count(db, "SELECT count(*) FROM rejected_messages") == total // 2
        assert count(db, "SELECT count(DISTINCT payload) FROM rejected_messages") == total // 2
    finally:
        worker.terminate()
        code = worker.wait(timeout=30)
        sender.join()
        pub.disconnect()
    assert code == 0, log.read_text()


# -- 5. a conflicting value is kept as a rejection, the first one stays ---------------


def test_a_second_value_for_the_same_time_is_kept_as_conflicting_value(
    db: Conn, pub: mqtt.Client, ingester: Ingester
) -> None:
    add_sensor(db, "c1")
    first = {"ts": ts(60), "value": 5.0}
    publish_all(pub, [(level("c1"), first)])
    written(db, "c1", 1)
    same_time = [{"ts": ts(30), "value": v} for v in (1.0, 2.0, 3.0, 1.0)]
    publish_all(
        pub,
        [
            (level("c1"), {"ts": ts(60), "value": 7.0}),  # another value, later batch
            (level("c1"), first),  # the same reading again: a duplicate, not a conflict
            (level("c1"), same_time),  # in one array: the first element wins
            (level("c1"), {"ts": ts(1), "value": 9.0}),
        ],
    )
    written(db, "c1", 3)
    assert values(db, "c1") == [5.0, 1.0, 9.0]
    rows = kept(db)
    assert [r for _t, r, _p, _d in rows] == ["conflicting_value"] * 3
    assert sorted(orjson.loads(p)["value"] for _t, _r, p, _d in rows) == [2.0, 3.0, 7.0]
    details = {orjson.loads(p)["value"]: d for _t, _r, p, d in rows}
    assert "value 5.0 (the first received), which is kept" in details[7.0]
    assert "value 1.0 (the first received), which is kept" in details[3.0]
    assert ingester.metrics.conflicts._value.get() == 3
    assert ingester.metrics.duplicates._value.get() == 2


def test_conflicting_values_in_one_batch_keep_the_first_in_arrival_order(
    database_url: str, broker: LocalBroker, pub: mqtt.Client
) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        add_sensor(conn, "c2")
    settings = ingest_settings(database_url, broker, mqtt_client_id="conflicts")
    idle = Ingester(settings, SystemClock(), serve_metrics=False)
    idle.start()  # make the session, leave: what follows is queued and drains as one batch
    assert idle.subscriber.connected.wait(10)
    idle.stop()
    publish_all(
        pub,
        [(level("c2"), {"ts": ts(10), "value": float(v)}) for v in (4, 8, 4, 6)],
    )
    worker = Ingester(settings, SystemClock(), serve_metrics=False)
    worker.start()
    try:
        wait_for(lambda: worker.metrics.acked._value.get() == 4, what="the batch")
    finally:
        worker.stop()
    with psycopg.connect(database_url) as conn:
        assert values(conn, "c2") == [4.0]
        assert sorted(orjson.loads(p)["value"] for _t, _r, p, _d in kept(conn)) == [6.0, 8.0]
