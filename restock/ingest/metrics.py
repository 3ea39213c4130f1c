"""Counters a user can read: Prometheus text on an HTTP port."""

from __future__ import annotations

from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


@dataclass
class IngestMetrics:
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        r = self.registry
        self.received = Counter(
            "restock_ingest_messages_received",
            "MQTT messages taken from the inbox by the writer (see queue depth for the rest)",
            registry=r,
        )
        self.written = Counter(
            "restock_ingest_readings_written", "Readings committed to the database", registry=r
        )
        self.duplicates = Counter(
            "restock_ingest_readings_duplicate",
            "Readings already stored (duplicates and redeliveries), skipped",
            registry=r,
        )
        self.conflicts = Counter(
            "restock_ingest_readings_conflicting",
            "Readings refused because their sensor and time already hold another value"
            " (kept in rejected_messages as conflicting_value; the first value stays)",
            registry=r,
        )
        self.rejected = Counter(
            "restock_ingest_rejected",
            "Messages or batch elements newly kept in rejected_messages, by reason",
            ["reason"],
            registry=r,
        )
        self.rejected_duplicates = Counter(
            "restock_ingest_rejected_duplicate",
            "Rejections already kept (redelivered, retained or resent messages), not kept again",
            registry=r,
        )
        self.acked = Counter(
            "restock_ingest_messages_acked", "Messages acknowledged to the broker", registry=r
        )
        self.queue_depth = Gauge(
            "restock_ingest_queue_depth", "Messages waiting for the writer", registry=r
        )
        self.queue_full = Counter(
            "restock_ingest_queue_full",
            "Times the network thread waited because the writer's queue was full",
            registry=r,
        )
        self.lag = Gauge(
            "restock_ingest_lag_seconds",
            "Age of the oldest message in the last committed batch, at commit",
            registry=r,
        )
        self.db_errors = Counter(
            "restock_ingest_database_errors", "Failed batch writes (retried)", registry=r
        )
        self.callback_errors = Counter(
            "restock_ingest_callback_errors", "Exceptions caught in MQTT callbacks", registry=r
        )
        self.up = Gauge(
            "restock_ingest_up",
            "1 while every ingest thread runs; 0 once one has died (the process then exits)",
            registry=r,
        )
        self.connected = Gauge(
            "restock_ingest_broker_connected", "1 while connected to the broker", registry=r
        )
        self.batch_seconds = Histogram(
            "restock_ingest_batch_seconds",
            "Time to write and commit one batch",
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
            registry=r,
        )
