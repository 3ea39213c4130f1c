"""Running one job for one time slot, at most once across every scheduler process."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

import psycopg

from restock.core.clock import Clock
from restock.scheduler import queries
from restock.scheduler.metrics import SchedulerMetrics

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class JobSpec:
    """A periodic job: `run(as_of)` does the work and returns a one-line summary."""

    name: str
    interval_s: float
    run: Callable[[datetime], str]


class Outcome(StrEnum):
    done = "done"
    failed = "failed"
    busy = "busy"  # another scheduler holds the job's lock
    already_run = "already_run"  # this slot was run (or is running) elsewhere


def slot(now: datetime, interval_s: float) -> datetime:
    """`now` floored to a multiple of the interval since the epoch: the run's as_of."""
    epoch = now.timestamp()
    return datetime.fromtimestamp(epoch - epoch % interval_s, tz=UTC)


class JobRunner:
    """Runs job slots against `database_url` under the name `scheduler_id`."""

    def __init__(
        self,
        database_url: str,
        clock: Clock,
        scheduler_id: str,
        *,
        metrics: SchedulerMetrics | None = None,
    ) -> None:
        self.database_url = database_url
        self.clock = clock
        self.scheduler_id = scheduler_id
        self.metrics = metrics or SchedulerMetrics()

    def run(self, job: JobSpec) -> Outcome:
        """Run `job` for the current slot unless another scheduler has or is doing so.

        A job that raises is recorded as failed (with the error) and logged, and the
        scheduler carries on: the next slot tries again.
        """
        started = time.monotonic()
        outcome = self._run(job)
        self.metrics.runs.labels(job.name, outcome.value).inc()
        if outcome in (Outcome.done, Outcome.failed):
            self.metrics.seconds.labels(job.name).observe(time.monotonic() - started)
        if outcome is Outcome.done:
            self.metrics.last_success.labels(job.name).set_to_current_time()
        return outcome

    def _run(self, job: JobSpec) -> Outcome:
        as_of = slot(self.clock.now(), job.interval_s)
        with psycopg.connect(self.database_url, autocommit=True) as conn:
            if not queries.try_lock(conn, job.name):
                log.info("%s %s: another scheduler is running it", job.name, as_of.isoformat())
                return Outcome.busy
            try:
                run_id = queries.claim_slot(
                    conn, job.name, as_of, self.scheduler_id, self.clock.now()
                )
                if run_id is None:
                    log.debug("%s %s: already run", job.name, as_of.isoformat())
                    return Outcome.already_run
                return self._execute(conn, job, as_of, run_id)
            finally:
                queries.unlock(conn, job.name)

    def _execute(
        self,
        conn: psycopg.Connection[tuple[object, ...]],
        job: JobSpec,
        as_of: datetime,
        run_id: int,
    ) -> Outcome:
        log.info("%s as of %s: starting", job.name, as_of.isoformat())
        try:
            detail = job.run(as_of)
        except Exception as exc:  # recorded and logged; the next slot retries
            log.exception("%s as of %s failed", job.name, as_of.isoformat())
            queries.finish_slot(
                conn, run_id, ok=False, at=self.clock.now(), detail=f"{type(exc).__name__}: {exc}"
            )
            return Outcome.failed
        queries.finish_slot(conn, run_id, ok=True, at=self.clock.now(), detail=detail)
        log.info("%s as of %s: %s", job.name, as_of.isoformat(), detail)
        return Outcome.done
