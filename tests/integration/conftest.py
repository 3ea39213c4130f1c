"""Fixtures shared by the integration tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from restock.core.clock import SystemClock
from restock.core.local_broker import LocalBroker
from restock.ingest.service import Ingester
from tests.support.ingest import ingest_settings


@pytest.fixture
def ingester(database_url: str, broker: LocalBroker) -> Iterator[Ingester]:
    """A running ingest worker, subscribed, on the test's database and broker."""
    running = Ingester(ingest_settings(database_url, broker), SystemClock())
    running.start()
    assert running.subscriber.connected.wait(10)
    yield running
    running.stop()
