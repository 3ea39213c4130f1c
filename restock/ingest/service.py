"""Wires ingest together: bounded queue, subscriber, writer, metrics endpoint."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from prometheus_client import start_http_server

from restock.core.clock import Clock
from restock.core.settings import Settings
from restock.ingest.batch import Message
from restock.ingest.inbox import Inbox
from restock.ingest.metrics import IngestMetrics
from restock.ingest.payload import Limits
from restock.ingest.subscriber import Subscriber
from restock.ingest.writer import Writer

log = logging.getLogger(__name__)


def limits_from(settings: Settings) -> Limits:
    return Limits(
        max_payload_bytes=settings.ingest_max_payload_bytes,
        max_future=timedelta(seconds=settings.ingest_max_future_s),
        absurd_factor=settings.ingest_absurd_factor,
        max_elements=settings.ingest_max_array_elements,
        max_bad_elements=settings.ingest_max_bad_elements,
    )


def subscription_topics(settings: Settings) -> list[str]:
    topics = [
        f"{settings.mqtt_topic_prefix}/sensors/+/level",
        f"{settings.mqtt_topic_prefix}/sensors/+/status",
    ]
    if settings.mqtt_share_group:
        return [f"$share/{settings.mqtt_share_group}/{t}" for t in topics]
    return topics


class Ingester:
    """One ingest worker. `start()`, then `stop()` (commits and acks what it holds)."""

    def __init__(self, settings: Settings, clock: Clock, *, serve_metrics: bool = True) -> None:
        self.metrics = IngestMetrics()
        self._inbox: Inbox[Message] = Inbox(settings.ingest_queue_size)
        self.metrics.queue_depth.set_function(self._inbox.__len__)
        self._serve_metrics = serve_metrics
        self._settings = settings
        self._http: Any = None
        self.subscriber = Subscriber(
            host=settings.mqtt_host,
            port=settings.mqtt_port,
            client_id=settings.mqtt_client_id,
            username=settings.mqtt_username,
            password=settings.mqtt_password,
            protocol=settings.mqtt_protocol,
            topics=subscription_topics(settings),
            session_expiry_s=settings.mqtt_session_expiry_s,
            keepalive_s=settings.mqtt_keepalive_s,
            inbox=self._inbox,
            metrics=self.metrics,
        )
        self.writer = Writer(
            database_url=settings.database_url,
            inbox=self._inbox,
            ack=self.subscriber.ack,
            metrics=self.metrics,
            clock=clock,
            prefix=settings.mqtt_topic_prefix,
            limits=limits_from(settings),
            batch_size=settings.ingest_batch_size,
            batch_interval_s=settings.ingest_batch_interval_s,
            retry_max_s=settings.ingest_retry_max_s,
        )
        self.metrics.up.set_function(lambda: 0.0 if self.failure() else 1.0)

    def start(self) -> None:
        if self._serve_metrics:
            self._http, _ = start_http_server(
                self._settings.metrics_port,
                addr=self._settings.metrics_host,
                registry=self.metrics.registry,
            )
            log.info(
                "metrics on http://%s:%s/metrics",
                self._settings.metrics_host,
                self._http.server_port,
            )
        self.writer.start()
        self.subscriber.start()

    @property
    def metrics_port(self) -> int | None:
        return None if self._http is None else int(self._http.server_port)

    def failure(self) -> str | None:
        """Why this worker can no longer ingest (a thread died), or None while it can."""
        if self.writer.failure is not None:
            return self.writer.failure
        if not self.subscriber.network_alive():
            return "the MQTT network thread died"
        return None

    def stop(self) -> None:
        """Stop taking messages, commit and ack the queued ones, then disconnect.
        After a failure, what was not committed stays unacknowledged, for the broker
        to deliver again to the next worker."""
        self.subscriber.close()
        self.writer.stop()
        self.subscriber.disconnect()
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()
