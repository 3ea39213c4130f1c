"""Running an ingester against the test's own database and broker, in this process or
as a `restock ingest` process, and reading what it kept."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.request
from pathlib import Path

from restock.core.local_broker import LocalBroker, free_port
from restock.core.settings import Settings
from tests.support.world import Conn, wait_for


def ingest_settings(database_url: str, broker: LocalBroker, **overrides: object) -> Settings:
    """Settings for an ingester on the test's database and broker."""
    values: dict[str, object] = {
        "database_url": database_url,
        "mqtt_url": broker.url,
        "mqtt_client_id": f"ingest-{broker.port}",
        "metrics_port": free_port(),
        "ingest_batch_interval_s": 0.05,
    }
    return Settings(**(values | overrides))  # type: ignore[arg-type]


def metrics_text(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as response:
        return str(response.read().decode())


def subscribed(port: int) -> bool:
    try:
        return "restock_ingest_broker_connected 1.0" in metrics_text(port)
    except OSError:
        return False


def start_ingest_process(
    database_url: str,
    broker: LocalBroker,
    metrics_port: int,
    log: Path,
    client_id: str = "ingest-crash-test",
    **env_overrides: str,
) -> subprocess.Popen[bytes]:
    """`restock ingest` as a child process, once it has subscribed; its log in `log`.
    `env_overrides` are RESTOCK_* variables (RESTOCK_INGEST_BATCH_SIZE="500")."""
    env = dict(
        os.environ,
        RESTOCK_DATABASE_URL=database_url,
        RESTOCK_MQTT_URL=broker.url,
        RESTOCK_MQTT_CLIENT_ID=client_id,
        RESTOCK_METRICS_PORT=str(metrics_port),
        RESTOCK_INGEST_BATCH_SIZE="500",
    )
    env.update(env_overrides)
    with log.open("ab") as stderr:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen(
            [sys.executable, "-m", "restock.cli.main", "ingest"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    wait_for(lambda: subscribed(metrics_port), timeout=30, what="ingest subscribed")
    return process


def kept(db: Conn, topic: str | None = None) -> list[tuple[str, str, bytes, str]]:
    """Rows of rejected_messages (of one topic): (topic, reason, payload, detail), in
    the order they were kept."""
    rows = db.execute(
        "SELECT topic, reason, payload, detail FROM rejected_messages"
        " WHERE %(topic)s::text IS NULL OR topic = %(topic)s ORDER BY id",
        {"topic": topic},
    ).fetchall()
    return [(str(t), str(r), bytes(p), str(d)) for t, r, p, d in rows]  # type: ignore[call-overload]
