"""Running an ingester against the test's own database and broker."""

from __future__ import annotations

from restock.core.local_broker import LocalBroker, free_port
from restock.core.settings import Settings


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
