"""Shared fixtures: a fresh, migrated PostgreSQL database per test and a private mosquitto.

Tests need a real PostgreSQL server. By default they use the one on 127.0.0.1:5432 as
user `postgres` (trust auth); point them elsewhere with RESTOCK_TEST_ADMIN_URL, a libpq
URL of a role allowed to create databases. Each test gets its own database, dropped
afterwards, so runs never collide.

`pytest --slow` runs the long versions: tests marked `slow_only` (skipped otherwise)
run, and tests that take the `slow` fixture scale up (more fuzz examples, longer soaks).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from restock.core.db import drop_database, ensure_database, with_database
from restock.core.local_broker import LocalBroker
from restock.core.migrate import migrate

ADMIN_URL = os.environ.get(
    "RESTOCK_TEST_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--slow",
        action="store_true",
        help="also run tests marked slow_only, and give scaling tests their long budgets",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow_only: runs only with --slow (minutes, not seconds)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--slow"):
        return
    skip = pytest.mark.skip(reason="long test: run with --slow")
    for item in items:
        if "slow_only" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def slow(request: pytest.FixtureRequest) -> bool:
    """True under `pytest --slow`: a test sized by it runs its long version."""
    return bool(request.config.getoption("--slow"))


@pytest.fixture
def database_url() -> Iterator[str]:
    """URL of a new database with every migration applied; dropped after the test."""
    url = with_database(ADMIN_URL, f"restock_test_{uuid.uuid4().hex[:12]}")
    ensure_database(url)
    try:
        migrate(url)
        yield url
    finally:
        drop_database(url)


@pytest.fixture
def db(database_url: str) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    """An autocommit connection to the test's database."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        yield conn


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[LocalBroker]:
    """A private mosquitto started with the project's config on a free loopback port."""
    with LocalBroker(workdir=tmp_path / "mosquitto") as running:
        yield running
