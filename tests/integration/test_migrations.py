"""Migrations: numbered, recorded, idempotent, and safe to run from two processes at once."""

from __future__ import annotations

import subprocess
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor

import psycopg

from restock.core.db import drop_database, ensure_database, with_database
from restock.core.migrate import available_migrations, has_timescaledb, migrate
from tests.conftest import ADMIN_URL


def test_concurrent_migrations_apply_each_version_once() -> None:
    url = with_database(ADMIN_URL, f"restock_test_{uuid.uuid4().hex[:12]}")
    ensure_database(url)
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            results = list(pool.map(lambda _: migrate(url), range(2)))
        versions = [m.version for m in available_migrations()]
        assert sorted(results[0] + results[1]) == versions  # one applied all, one nothing
        assert migrate(url) == []
        with psycopg.connect(url) as conn:
            recorded = [r[0] for r in conn.execute("SELECT version FROM schema_migrations")]
            assert sorted(recorded) == versions
            # without TimescaleDB, readings is a plain table keyed on (sensor_id, time)
            assert not has_timescaledb(conn)
            key = conn.execute(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint"
                " WHERE conrelid = 'readings'::regclass AND contype = 'p'"
            ).fetchone()
            assert key == ('PRIMARY KEY (sensor_id, "time")',)
    finally:
        drop_database(url)


def test_restock_migrate_command_creates_the_database() -> None:
    url = with_database(ADMIN_URL, f"restock_test_{uuid.uuid4().hex[:12]}")
    try:
        done = subprocess.run(
            [sys.executable, "-m", "restock.cli.main", "migrate"],
            env={"RESTOCK_DATABASE_URL": url, "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            check=True,
        )
        assert "created database" in done.stdout
        assert f"applied {len(available_migrations())} migration(s)" in done.stdout
    finally:
        drop_database(url)
