"""What each message fault costs ingest, against the same backlog without the fault.

In one run, on a private mosquitto (the project's config) and a fresh database: for
each fault, a backlog of good readings from 5 sensors with the faulty message(s) in the
middle is published into the ingester's persistent session, then a fresh ingester
drains it. Printed per fault: the rows kept in rejected_messages, readings lost, rows
stored twice, and the time to drain the backlog (every message committed and
acknowledged) next to the same backlog without the fault. Then two process faults:
`kill -9` right after a commit, mid-flood of good and bad messages (readings lost,
rejections kept twice, time from the kill until the restarted worker writes again),
and a worker whose database refuses to keep any rejection (exit code, time from the
message to the exit).

Usage: python bench/ingest_faults.py [--quick] [--backlog N]
The last line printed is a JSON object.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import paho.mqtt.client as mqtt
import psycopg
from paho.mqtt.enums import CallbackAPIVersion

from restock.core.clock import SystemClock
from restock.core.db import drop_database, ensure_database, with_database
from restock.core.local_broker import LocalBroker, free_port
from restock.core.migrate import migrate
from restock.core.settings import Settings
from restock.ingest.service import Ingester

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
SENSORS = [f"f{i}" for i in range(5)]
BASE = datetime.now(UTC).replace(microsecond=0) - timedelta(days=30)
HUGE = "1" + "0" * 399
Conn = psycopg.Connection[tuple[object, ...]]


def topic(sensor: str) -> str:
    return f"restock/v1/sensors/{sensor}/level"


@dataclass(frozen=True, slots=True, kw_only=True)
class Fault:
    name: str
    messages: list[bytes]  # published to sensor f0, in the middle of the backlog
    setup: str = ""  # SQL run before, undone after
    teardown: str = ""


def faults(at: datetime) -> list[Fault]:
    ts = at.isoformat()
    return [
        Fault(name="deep nesting (100,000 '[')", messages=[b"[" * 100_000 + b"]" * 100_000]),
        Fault(
            name="400-digit value and battery",
            messages=[
                f'{{"ts": "{ts}", "value": {HUGE}}}'.encode(),
                f'{{"ts": "{ts}", "value": 1, "battery": {HUGE}}}'.encode(),
            ],
        ),
        Fault(name="UTC offset +16:00", messages=[b'{"ts":"2026-02-10T00:00:00+16:00","value":1}']),
        Fault(name="NUL in a timestamp", messages=[orjson.dumps({"ts": ts + "\0", "value": 1})]),
        Fault(
            name="a row the database refuses",
            messages=[
                orjson.dumps({"ts": ts, "value": 13.5}),
                orjson.dumps(
                    [
                        {"ts": (at + timedelta(seconds=k)).isoformat(), "value": [1, 13.5][k == 7]}
                        for k in range(50)
                    ]
                ),
            ],
            setup="ALTER TABLE readings ADD CONSTRAINT no_13_5 CHECK (raw_value <> 13.5)",
            teardown="ALTER TABLE readings DROP CONSTRAINT no_13_5",
        ),
        Fault(
            name="array of 100,000 numbers",
            messages=[b"[" + b",".join([b"1"] * 100_000) + b"]"],
        ),
        Fault(name="array of 87,000 {}", messages=[b"[" + b",".join([b"{}"] * 87_000) + b"]"]),
        Fault(
            name="the same bad message 100 times",
            messages=[orjson.dumps({"ts": ts, "value": -1})] * 100,
        ),
        Fault(
            name="a second value for a stored time",
            messages=[orjson.dumps({"ts": (BASE + timedelta(seconds=1)).isoformat(), "value": 2})],
        ),
    ]


def publisher(port: int) -> mqtt.Client:
    client = mqtt.Client(
        CallbackAPIVersion.VERSION2, client_id=f"pub-{uuid.uuid4().hex[:6]}", protocol=mqtt.MQTTv5
    )
    client.max_inflight_messages_set(2000)
    client.max_queued_messages_set(0)
    client.connect("127.0.0.1", port)
    client.loop_start()
    return client


def publish(client: mqtt.Client, messages: list[tuple[str, bytes]]) -> None:
    infos = [client.publish(t, payload, qos=1) for t, payload in messages]
    for info in infos:
        info.wait_for_publish(timeout=120)


def scalar(conn: Conn, query: str) -> int:
    row = conn.execute(query).fetchone()
    assert row is not None
    return int(row[0])  # type: ignore[call-overload]


class Bench:
    def __init__(self, url: str, broker: LocalBroker) -> None:
        self.url = url
        self.broker = broker
        self.settings = Settings(
            database_url=url,
            mqtt_url=broker.url,
            mqtt_client_id="faults-ingest",
            mqtt_share_group="",  # a plain persistent subscription keeps the backlog
        )
        self.start = BASE
        idle = Ingester(self.settings, SystemClock(), serve_metrics=False)
        idle.start()
        idle.subscriber.connected.wait(10)
        idle.stop()

    def backlog(self, size: int, faulty: list[bytes]) -> tuple[list[tuple[str, bytes]], int]:
        """`size` good readings (5 sensors) with `faulty` after the first half."""
        good = [
            (
                topic(SENSORS[i % 5]),
                orjson.dumps(
                    {"ts": (self.start + timedelta(seconds=i // 5)).isoformat(), "value": 5.0}
                ),
            )
            for i in range(size)
        ]
        self.start += timedelta(seconds=size // 5 + 1)
        half = size // 2
        return [*good[:half], *((topic("f0"), m) for m in faulty), *good[half:]], size

    def drain(self, messages: list[tuple[str, bytes]]) -> float:
        """Publish into the idle session, then time a fresh ingester draining it."""
        pub = publisher(self.broker.port)
        publish(pub, messages)
        pub.disconnect()
        pub.loop_stop()
        ingester = Ingester(self.settings, SystemClock(), serve_metrics=False)
        started = time.monotonic()
        ingester.start()
        acked = ingester.metrics.acked
        while acked._value.get() < len(messages):
            if time.monotonic() - started > 600 or ingester.failure():
                raise RuntimeError(f"ingest stalled: {ingester.failure()}")
            time.sleep(0.005)
        elapsed = time.monotonic() - started
        ingester.stop()
        return elapsed

    def run(self, fault: Fault, size: int) -> dict[str, object]:
        with psycopg.connect(self.url, autocommit=True) as conn:
            if fault.setup:
                conn.execute(fault.setup)
            before = scalar(conn, "SELECT count(*) FROM readings")
            kept_before = scalar(conn, "SELECT count(*) FROM rejected_messages")
            clean, good = self.backlog(size, [])
            baseline = self.drain(clean)
            faulty, good_f = self.backlog(size, fault.messages)
            with_fault = self.drain(faulty)
            extra_good = 49 if "refuses" in fault.name else 0  # the array's other readings
            stored = scalar(conn, "SELECT count(*) FROM readings") - before
            rows = scalar(conn, "SELECT count(*) FROM rejected_messages") - kept_before
            twice = scalar(
                conn, "SELECT count(*) - count(DISTINCT (sensor_id, time)) FROM readings"
            )
            if fault.teardown:
                conn.execute(fault.teardown)
        return {
            "fault": fault.name,
            "rows_kept": rows,
            "lost": good + good_f + extra_good - stored,
            "stored_twice": twice,
            "drain_s": round(with_fault, 3),
            "baseline_s": round(baseline, 3),
        }


def ingest_process(url: str, broker: LocalBroker, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = dict(
        os.environ,
        RESTOCK_DATABASE_URL=url,
        RESTOCK_MQTT_URL=broker.url,
        RESTOCK_MQTT_CLIENT_ID="faults-process",
        RESTOCK_MQTT_SHARE_GROUP="",
        RESTOCK_METRICS_PORT=str(port),
        RESTOCK_INGEST_BATCH_SIZE="500",
    )
    with log.open("ab") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "restock.cli.main", "ingest"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    wait(lambda: _subscribed(port), 60, "ingest subscribed")
    return process


def _subscribed(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=1) as r:
            return "restock_ingest_broker_connected 1.0" in r.read().decode()
    except OSError:
        return False


def wait(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(0.01)


def kill_9(url: str, broker: LocalBroker, log: Path, total: int, kills: int) -> dict[str, object]:
    """Kill the ingester right after a commit, `kills` times, mid-flood of messages half
    good, half bad (distinct); restart it each time."""
    sensor = "f1"
    with psycopg.connect(url, autocommit=True) as conn:
        readings0 = scalar(conn, "SELECT count(*) FROM readings")
        kept0 = scalar(conn, "SELECT count(*) FROM rejected_messages")
        start = BASE - timedelta(days=1)
        flood = [
            (
                topic(sensor),
                orjson.dumps(
                    {"ts": (start + timedelta(seconds=i)).isoformat(), "value": 1.0}
                    if i % 2
                    else {"seq": i, "bench": "kill"}
                ),
            )
            for i in range(total)
        ]
        port = free_port()
        worker = ingest_process(url, broker, port, log)
        pub = publisher(broker.port)
        sender = threading.Thread(target=publish, args=(pub, flood))
        sender.start()
        recoveries = []
        for k in range(kills):
            target = readings0 + (k + 1) * total // (2 * (kills + 2))
            wait(lambda t=target: scalar(conn, "SELECT count(*) FROM readings") >= t, 120, "flood")  # type: ignore[misc]
            seen = scalar(conn, "SELECT count(*) FROM rejected_messages")
            while scalar(conn, "SELECT count(*) FROM rejected_messages") == seen:
                pass
            worker.send_signal(signal.SIGKILL)
            killed = time.monotonic()
            worker.wait()
            progress = scalar(conn, "SELECT count(*) FROM readings")
            worker = ingest_process(url, broker, port, log)
            wait(
                lambda p=progress: (
                    scalar(conn, "SELECT count(*) FROM readings") > p  # type: ignore[misc]
                    or p - readings0 == total // 2
                ),
                120,
                "ingest after restart",
            )
            recoveries.append(time.monotonic() - killed)
        sender.join()
        wait(
            lambda: scalar(conn, "SELECT count(*) FROM readings") - readings0 == total // 2,
            300,
            "every reading",
        )
        wait(
            lambda: scalar(conn, "SELECT count(*) FROM rejected_messages") - kept0 >= total // 2,
            60,
            "every rejection",
        )
        worker.terminate()
        worker.wait(timeout=30)
        pub.disconnect()
        pub.loop_stop()
        stored = scalar(conn, "SELECT count(*) FROM readings") - readings0
        kept = scalar(conn, "SELECT count(*) FROM rejected_messages") - kept0
    return {
        "fault": f"kill -9 right after a commit, {kills}× ({total:,} messages, half bad)",
        "lost": total // 2 - stored,
        "rejections_kept_twice": kept - total // 2,
        "kill_to_writing_again_s": round(max(recoveries), 2),
    }


def cannot_keep(url: str, broker: LocalBroker, log: Path) -> dict[str, object]:
    """The database refuses every rejection: the worker must exit, not live on wedged;
    once the table takes rows again, a new worker keeps the redelivered message."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "ALTER TABLE rejected_messages ADD CONSTRAINT bench_refuse CHECK (false) NOT VALID"
        )
        worker = ingest_process(url, broker, free_port(), log)
        pub = publisher(broker.port)
        sent = time.monotonic()
        publish(pub, [(topic("f2"), b"{bench: cannot keep")])
        code = worker.wait(timeout=60)
        exited = time.monotonic() - sent
        conn.execute("ALTER TABLE rejected_messages DROP CONSTRAINT bench_refuse")
        again = ingest_process(url, broker, free_port(), log)
        wait(
            lambda: scalar(
                conn, "SELECT count(*) FROM rejected_messages WHERE payload = '{bench: cannot keep'"
            ) == 1,
            60,
            "the redelivered message kept",
        )  # fmt: skip
        again.terminate()
        again.wait(timeout=30)
        pub.disconnect()
        pub.loop_stop()
    return {
        "fault": "database refuses every rejection",
        "exit_code": code,
        "exit_s": round(exited, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="about a minute")
    parser.add_argument("--backlog", type=int, help="good readings around each fault")
    args = parser.parse_args()
    size = args.backlog or 5000
    total, kills = (20_000, 1) if args.quick else (60_000, 5)
    logging.basicConfig(level=logging.ERROR)

    url = with_database(ADMIN_URL, f"restock_faults_{uuid.uuid4().hex[:8]}")
    ensure_database(url)
    results: list[dict[str, object]] = []
    try:
        migrate(url)
        with psycopg.connect(url, autocommit=True) as conn, conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO sensors (id, kind, unit) VALUES (%s, 'shelf_count', 'count')",
                [(s,) for s in SENSORS],
            )
        with tempfile.TemporaryDirectory() as tmp, LocalBroker(workdir=Path(tmp)) as broker:
            bench = Bench(url, broker)
            for fault in faults(BASE + timedelta(days=10)):
                result = bench.run(fault, size)
                results.append(result)
                print(
                    f"{fault.name:<34} kept {result['rows_kept']:>3} rows, lost"
                    f" {result['lost']}, stored twice {result['stored_twice']}; drained in"
                    f" {result['drain_s']:.2f} s (without the fault {result['baseline_s']:.2f} s)"
                )
            log = Path(tmp) / "ingest.log"
            crash = kill_9(url, broker, log, total, kills)
            results.append(crash)
            print(
                f"{crash['fault']}: lost {crash['lost']}, rejections kept twice"
                f" {crash['rejections_kept_twice']}; from the kill to writing again (restart"
                f" included) at most {crash['kill_to_writing_again_s']} s"
            )
            dead = cannot_keep(url, broker, log)
            results.append(dead)
            print(
                f"{dead['fault']}: worker exited with code {dead['exit_code']}"
                f" {dead['exit_s']} s after the message; the next one kept it"
            )
    finally:
        drop_database(url)
    print(json.dumps({"backlog": size, "faults": results}))


if __name__ == "__main__":
    main()
