"""The one writer: drains the bounded queue, judges messages, commits in batches, then acks.

Acknowledging only after commit is what makes a crash lose nothing: the broker still
holds every unacknowledged message of our persistent session and sends it again.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from operator import itemgetter

import psycopg

from restock.core.clock import Clock
from restock.ingest import queries
from restock.ingest.errors import Reason
from restock.ingest.inbox import Inbox
from restock.ingest.metrics import IngestMetrics
from restock.ingest.payload import (
    Limits,
    Reading,
    Rejection,
    SensorInfo,
    StatusChange,
    parse_level,
    parse_status,
    parse_topic,
)

log = logging.getLogger(__name__)

# (topic, payload, mid, qos, monotonic receive time)
Message = tuple[str, bytes, int, int, float]
Ack = Callable[[int, int], None]

_REGISTRY_MAX_AGE_S = 30.0
_REGISTRY_MISS_REFRESH_S = 2.0
_DRAIN_STEP_S = 0.01
_time = itemgetter(0)  # Reading.time


@dataclass(slots=True, kw_only=True)
class Judged:
    readings: list[Reading] = field(default_factory=list)
    latest: dict[str, Reading] = field(default_factory=dict)  # newest reading per sensor

    def note_latest(self, reading: Reading) -> None:
        seen = self.latest.get(reading.sensor_id)
        if seen is None or reading.time >= seen.time:
            self.latest[reading.sensor_id] = reading

    rejections: list[Rejection] = field(default_factory=list)
    statuses: list[StatusChange] = field(default_factory=list)


def judge(
    messages: Sequence[Message],
    sensors: dict[str, SensorInfo],
    *,
    prefix: str,
    received_at: datetime,
    limits: Limits,
) -> Judged:
    """Sort a batch of raw messages into readings, rejections and status changes."""
    out = Judged()
    for topic, payload, _mid, _qos, _t in messages:
        parsed = parse_topic(topic, prefix)
        if parsed is None:
            out.rejections.append(
                Rejection(
                    topic=topic,
                    payload=payload,
                    reason=Reason.BAD_TOPIC,
                    detail=f"expected {prefix}/sensors/<sensor_id>/level|status",
                    sensor_id=None,
                )
            )
        elif parsed.kind == "level":
            readings, rejections = parse_level(
                topic, parsed.sensor_id, payload, sensors.get(parsed.sensor_id), received_at, limits
            )
            if readings:
                out.readings.extend(readings)
                out.note_latest(max(readings, key=_time) if len(readings) > 1 else readings[0])
            out.rejections.extend(rejections)
        else:
            status = parse_status(topic, parsed.sensor_id, payload)
            if isinstance(status, StatusChange) and parsed.sensor_id in sensors:
                out.statuses.append(status)
            elif isinstance(status, StatusChange):
                out.rejections.append(
                    Rejection(
                        topic=topic,
                        payload=payload,
                        reason=Reason.UNKNOWN_SENSOR,
                        detail=f"sensor {parsed.sensor_id} is not registered",
                        sensor_id=parsed.sensor_id,
                    )
                )
            else:
                out.rejections.append(status)
    return out


def commit(conn: queries.Conn, judged: Judged, received_at: datetime) -> int:
    """Write one judged batch in one transaction; returns readings newly inserted."""
    with conn.transaction():
        inserted = queries.insert_readings(conn, judged.readings)
        queries.insert_rejections(conn, judged.rejections, received_at)
        queries.touch_sensors(conn, judged.latest, received_at)
        queries.set_status(conn, judged.statuses, received_at)
    return inserted


class Writer:
    """Two threads in a pipeline, so parsing the next batch overlaps the database's work
    on this one: `judge` drains the bounded inbox, batching by size or time, and judges
    each batch; `commit` writes it, retrying the database with backoff, then acks.
    Both hand-offs are bounded queues, so a slow database stops the network thread
    from reading the socket instead of growing memory."""

    def __init__(
        self,
        *,
        database_url: str,
        inbox: Inbox[Message],
        ack: Ack,
        metrics: IngestMetrics,
        clock: Clock,
        prefix: str,
        limits: Limits,
        batch_size: int,
        batch_interval_s: float,
        retry_max_s: float,
    ) -> None:
        self._url = database_url
        self._inbox = inbox
        self._ack = ack
        self._metrics = metrics
        self._clock = clock
        self._prefix = prefix
        self._limits = limits
        self._batch_size = batch_size
        self._interval = batch_interval_s
        self._retry_max = retry_max_s
        self._stop = threading.Event()
        self._judged: queue.Queue[tuple[list[Message], Judged, datetime] | None] = queue.Queue(
            maxsize=2
        )
        self._sensors: dict[str, SensorInfo] | None = None
        self._sensors_loaded = float("-inf")
        self.healthy = threading.Event()
        self._threads = [
            threading.Thread(target=self._judge_loop, name="ingest-judge"),
            threading.Thread(target=self._commit_loop, name="ingest-commit"),
        ]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        """Commit and ack what is already queued, then end both threads."""
        self._stop.set()
        for thread in self._threads:
            thread.join()

    # -- stage 1: batch and judge ------------------------------------------------------

    def _judge_loop(self) -> None:
        try:
            while True:
                batch = self._drain()
                if batch:
                    sensors = self._registry(batch)
                    if sensors is None:  # stopping before the database ever answered
                        log.warning("stopping with %d unacknowledged messages", len(batch))
                        return
                    received_at = self._clock.now()
                    judged = judge(
                        batch,
                        sensors,
                        prefix=self._prefix,
                        received_at=received_at,
                        limits=self._limits,
                    )
                    self._judged.put((batch, judged, received_at))
                elif self._stop.is_set():
                    return
        finally:
            self._judged.put(None)

    def _drain(self) -> list[Message]:
        """Up to batch_size messages: wait for the first, then for at most the interval,
        taking what has accumulated in short sleeps."""
        wait = 0.05 if self._stop.is_set() else self._interval
        if not self._inbox.wait_nonempty(wait):
            return []
        batch = self._inbox.take(self._batch_size)
        deadline = time.monotonic() + self._interval
        while len(batch) < self._batch_size and not self._stop.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            time.sleep(min(_DRAIN_STEP_S, remaining))
            batch += self._inbox.take(self._batch_size - len(batch))
        self._metrics.received.inc(len(batch))
        return batch

    def _registry(self, batch: Sequence[Message]) -> dict[str, SensorInfo] | None:
        """The sensor registry, reloaded when stale or when the batch names an unknown
        sensor. Until it has loaded once, waits for the database (judging against an
        empty registry would reject every message as unknown)."""
        delay = 0.1
        while True:
            if not self._registry_stale(batch):
                return self._sensors
            try:
                with psycopg.connect(self._url, autocommit=True) as conn:
                    self._sensors = queries.load_sensors(conn)
                self._sensors_loaded = time.monotonic()
                return self._sensors
            except psycopg.OperationalError as exc:
                if self._sensors is not None:
                    log.warning("sensor registry not refreshed: %s", exc)
                    return self._sensors
                log.warning("database unavailable for the sensor registry: %s", exc)
                if self._stop.wait(delay):
                    return None
                delay = min(delay * 2, self._retry_max)

    def _registry_stale(self, batch: Sequence[Message]) -> bool:
        if self._sensors is None:
            return True
        age = time.monotonic() - self._sensors_loaded
        if age >= _REGISTRY_MAX_AGE_S:
            return True
        if age < _REGISTRY_MISS_REFRESH_S:
            return False
        for topic, *_ in batch:
            parsed = parse_topic(topic, self._prefix)
            if parsed is not None and parsed.sensor_id not in self._sensors:
                return True
        return False

    # -- stage 2: commit and ack -------------------------------------------------------

    def _commit_loop(self) -> None:
        conn: queries.Conn | None = None
        try:
            while (item := self._judged.get()) is not None:
                batch, judged, received_at = item
                conn = self._commit_with_retry(conn, batch, judged, received_at)
                if conn is None:
                    log.warning("stopping with %d unacknowledged messages", len(batch))
                    # keep draining so the judge thread is never blocked on a full queue
                    continue
                for _topic, _payload, mid, qos, _t in batch:
                    if qos:
                        self._ack(mid, qos)
                self._metrics.acked.inc(len(batch))
                self.healthy.set()
        finally:
            if conn is not None:
                conn.close()

    def _commit_with_retry(
        self,
        conn: queries.Conn | None,
        batch: list[Message],
        judged: Judged,
        received_at: datetime,
    ) -> queries.Conn | None:
        """Commit one batch, reconnecting with backoff; None if stopped before it could."""
        delay = 0.1
        while True:
            try:
                if conn is None or conn.closed:
                    conn = psycopg.connect(self._url, autocommit=True)
                self._write(conn, batch, judged, received_at)
                return conn
            except psycopg.OperationalError as exc:
                self._metrics.db_errors.inc()
                self.healthy.clear()
                log.warning("database write failed, retrying in %.1fs: %s", delay, exc)
                if conn is not None:
                    conn.close()
                if self._stop.wait(delay):
                    return None
                delay = min(delay * 2, self._retry_max)

    def _write(
        self, conn: queries.Conn, batch: list[Message], judged: Judged, received_at: datetime
    ) -> None:
        started = time.monotonic()
        try:
            inserted = commit(conn, judged, received_at)
        except psycopg.OperationalError:
            raise
        except psycopg.Error:
            # Not the database being away: something in this batch it will never accept.
            # Keep every message as a rejection (replayable) rather than block the stream.
            log.exception("batch refused by the database; keeping it in rejected_messages")
            judged = _as_rejected(batch, "the database refused this batch")
            inserted = commit(conn, judged, received_at)
        now = time.monotonic()
        self._metrics.batch_seconds.observe(now - started)
        self._metrics.lag.set(now - min(m[4] for m in batch))
        self._metrics.written.inc(inserted)
        self._metrics.duplicates.inc(len(judged.readings) - inserted)
        for rejection in judged.rejections:
            self._metrics.rejected.labels(rejection.reason.value).inc()


def _as_rejected(batch: Sequence[Message], detail: str) -> Judged:
    return Judged(
        rejections=[
            Rejection(
                topic=topic,
                payload=payload,
                reason=Reason.WRITE_FAILED,
                detail=detail[:500],
                sensor_id=None,
            )
            for topic, payload, *_ in batch
        ]
    )
