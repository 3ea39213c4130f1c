"""Numbered, forward-only SQL migrations recorded in `schema_migrations`.

Files live in `restock/core/migrations/NNNN_name.sql`. Each applies in its own
transaction; a session-level advisory lock makes concurrent runs (two processes
starting at once) wait for each other instead of racing.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from importlib import resources

import psycopg

from restock.core.errors import MigrationError

log = logging.getLogger(__name__)

_LOCK_KEY = 0x7265_7374_6F63_6B  # "restock", fits in a bigint
_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")

CREATE_VERSION_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)
"""


@dataclass(frozen=True, slots=True, kw_only=True)
class Migration:
    version: int
    name: str
    sql: str


def available_migrations() -> list[Migration]:
    """Every migration shipped with restock, in version order.

    Raises MigrationError for a misnamed file or a repeated version number.
    """
    found: dict[int, Migration] = {}
    for entry in resources.files("restock.core.migrations").iterdir():
        if not entry.name.endswith(".sql"):
            continue
        match = _NAME.match(entry.name)
        if not match:
            raise MigrationError(f"migration file {entry.name!r} is not named NNNN_name.sql")
        version = int(match.group(1))
        if version in found:
            raise MigrationError(f"migration version {version} appears twice")
        found[version] = Migration(version=version, name=match.group(2), sql=entry.read_text())
    return [found[v] for v in sorted(found)]


def migrate(database_url: str) -> list[int]:
    """Apply the migrations `database_url` lacks; returns the versions applied."""
    applied: list[int] = []
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (_LOCK_KEY,))
        try:
            conn.execute(CREATE_VERSION_TABLE)
            done = {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
            for migration in available_migrations():
                if migration.version in done:
                    continue
                log.info("applying migration %04d_%s", migration.version, migration.name)
                try:
                    with conn.transaction():
                        conn.execute(migration.sql.encode())
                        conn.execute(
                            "INSERT INTO schema_migrations (version, name) VALUES (%s, %s)",
                            (migration.version, migration.name),
                        )
                except psycopg.Error as exc:
                    raise MigrationError(
                        f"migration {migration.version:04d}_{migration.name} failed: {exc}"
                    ) from exc
                applied.append(migration.version)
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (_LOCK_KEY,))
    return applied


def has_timescaledb(conn: psycopg.Connection[tuple[object, ...]]) -> bool:
    """Whether the TimescaleDB extension is installed in this database."""
    row = conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'").fetchone()
    return row is not None
