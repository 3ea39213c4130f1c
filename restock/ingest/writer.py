"""The one writer: drains the bounded queue, judges messages, commits in batches, then acks.

Acknowledging only after commit is what makes a crash lose nothing: the broker still
holds every unacknowledged message of our persistent session and sends it again.
A thread that dies anyway is recorded in `failure`, for the process to exit and be
restarted rather than live on without writing.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from datetime import datetime

import psycopg

from restock.core.clock import Clock
from restock.ingest import queries
from restock.ingest.batch import Judged, Message, Tally, judge, store
from restock.ingest.inbox import Inbox
from restock.ingest.metrics import IngestMetrics
from restock.ingest.payload import Limits, SensorInfo, parse_topic

log = logging.getLogger(__name__)

Ack = Callable[[int, int], None]
# a judged batch on its way to the commit thread
_Judged = tuple[list[Message], Judged, datetime, dict[str, SensorInfo]]

_REGISTRY_MAX_AGE_S = 30.0
_REGISTRY_MISS_REFRESH_S = 2.0
_DRAIN_STEP_S = 0.01


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
        self._judged: queue.Queue[_Judged | None] = queue.Queue(maxsize=2)
        self._sensors: dict[str, SensorInfo] | None = None
        self._sensors_loaded = float("-inf")
        self.healthy = threading.Event()  # set while the database takes our writes
        self.failure: str | None = None  # why a thread died, once one has
        # Daemon threads: after a failure the process must be able to exit without them.
        self._threads = [
            threading.Thread(
                target=self._guarded, args=(self._judge_loop,), name="ingest-judge", daemon=True
            ),
            threading.Thread(
                target=self._guarded, args=(self._commit_loop,), name="ingest-commit", daemon=True
            ),
        ]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        """Commit and ack what is already queued, then end both threads. After a failure,
        returns without waiting for a thread that may be stuck behind the dead one."""
        self._stop.set()
        for thread in self._threads:
            while thread.is_alive() and self.failure is None:
                thread.join(0.1)

    def _guarded(self, loop: Callable[[], None]) -> None:
        try:
            loop()
        except BaseException as exc:
            self.failure = f"thread {threading.current_thread().name} died: {exc!r}"
            self.healthy.clear()
            log.critical("%s", self.failure, exc_info=True)

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
                    self._judged.put((batch, judged, received_at, sensors))
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
                batch = item[0]
                conn = self._commit_with_retry(conn, item)
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

    def _commit_with_retry(self, conn: queries.Conn | None, item: _Judged) -> queries.Conn | None:
        """Commit one batch, reconnecting with backoff; None if stopped before it could.

        Raises CannotKeepError (the database refuses even to keep a rejection).
        """
        delay = 0.1
        while True:
            try:
                if conn is None or conn.closed:
                    conn = psycopg.connect(self._url, autocommit=True)
                self._write(conn, item)
                return conn
            except psycopg.Error as exc:
                if not (isinstance(exc, psycopg.OperationalError) or conn is None or conn.broken):
                    raise
                self._metrics.db_errors.inc()
                self.healthy.clear()
                log.warning("database write failed, retrying in %.1fs: %s", delay, exc)
                if conn is not None:
                    conn.close()
                if self._stop.wait(delay):
                    return None
                delay = min(delay * 2, self._retry_max)

    def _write(self, conn: queries.Conn, item: _Judged) -> None:
        batch, judged, received_at, sensors = item
        started = time.monotonic()
        tally = store(
            conn,
            batch,
            judged=judged,
            sensors=sensors,
            prefix=self._prefix,
            received_at=received_at,
            limits=self._limits,
        )
        now = time.monotonic()
        self._metrics.batch_seconds.observe(now - started)
        self._metrics.lag.set(now - min(m[4] for m in batch))
        self._count(tally)

    def _count(self, tally: Tally) -> None:
        metrics = self._metrics
        metrics.written.inc(tally.inserted)
        metrics.duplicates.inc(tally.duplicates)
        if tally.conflicting:
            metrics.conflicts.inc(len(tally.conflicting))
        if tally.kept_before:
            metrics.rejected_duplicates.inc(tally.kept_before)
        for reason, n in tally.kept.items():
            metrics.rejected.labels(reason).inc(n)
