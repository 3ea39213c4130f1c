"""Running one job for one time slot, at most once across every scheduler process."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

import psycopg

from restock.core.clock import Clock
from restock.core.settings import Settings
from restock.scheduler import queries
from restock.scheduler.metrics import SchedulerMetrics

log = logging.getLogger(__name__)

DEFAULT_RUN_TIMEOUT_S: float = Settings.model_fields["schedule_run_timeout_s"].default


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
    """Runs job slots against `database_url` under the name `scheduler_id`.

    A slot left 'running' by a scheduler that stopped mid-run (its session, and with it
    the job's lock, is gone) is run again by the next runner to take the lock, once. A
    run still holding the lock after `run_timeout_s` is presumed hung: its session is
    ended (so its lock is released) and its slot is run again.
    """

    def __init__(
        self,
        database_url: str,
        clock: Clock,
        scheduler_id: str,
        *,
        run_timeout_s: float = DEFAULT_RUN_TIMEOUT_S,
        metrics: SchedulerMetrics | None = None,
    ) -> None:
        self.database_url = database_url
        self.clock = clock
        self.scheduler_id = scheduler_id
        self.run_timeout = timedelta(seconds=run_timeout_s)
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
            if not queries.try_lock(conn, job.name) and not self._end_hung_run(conn, job):
                log.info("%s %s: another scheduler is running it", job.name, as_of.isoformat())
                return Outcome.busy
            try:
                run_id = self._claim(conn, job, as_of)
                if run_id is None:
                    log.debug("%s %s: already run", job.name, as_of.isoformat())
                    return Outcome.already_run
                return self._execute(conn, job, as_of, run_id)
            finally:
                if not conn.broken:  # a lost session has released its lock already
                    queries.unlock(conn, job.name)

    def _end_hung_run(self, conn: psycopg.Connection[tuple[object, ...]], job: JobSpec) -> bool:
        """End the session of a run of `job` older than run_timeout; True if this runner
        then holds the job's lock."""
        try:
            ended = queries.end_hung_holder(conn, job.name, self.clock.now() - self.run_timeout)
        except psycopg.errors.InsufficientPrivilege:
            log.error("%s: a run has held the job for more than %s, and this database role"
                      " may not end its session (grant it pg_signal_backend)", job.name,
                      self.run_timeout)  # fmt: skip
            return False
        if not ended:
            return False
        log.warning(
            "%s: a run has held the job for more than %s; ended its session",
            job.name,
            self.run_timeout,
        )
        return queries.try_lock(conn, job.name)

    def _claim(
        self, conn: psycopg.Connection[tuple[object, ...]], job: JobSpec, as_of: datetime
    ) -> int | None:
        """Under the job's lock: the slot's run id if this runner is to run it (a new
        slot, or one whose scheduler stopped mid-run), None if it has been run."""
        now = self.clock.now()
        for stale_as_of, scheduler in queries.abandon_stale_runs(conn, job.name, as_of, now):
            log.warning(
                "%s %s: scheduler %s stopped mid-run; marked failed",
                job.name,
                stale_as_of.isoformat(),
                scheduler,
            )
        run_id = queries.claim_slot(conn, job.name, as_of, self.scheduler_id, now)
        if run_id is not None:
            return run_id
        taken = queries.take_over_slot(conn, job.name, as_of, self.scheduler_id, now)
        if taken is None:
            return None
        run_id, scheduler = taken
        log.warning(
            "%s %s: scheduler %s stopped mid-run; running the slot again",
            job.name,
            as_of.isoformat(),
            scheduler,
        )
        self.metrics.takeovers.labels(job.name).inc()
        return run_id

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
            ok = True
        except Exception as exc:  # recorded and logged; the next slot retries
            log.exception("%s as of %s failed", job.name, as_of.isoformat())
            detail, ok = f"{type(exc).__name__}: {exc}", False
        try:
            queries.finish_slot(conn, run_id, ok=ok, at=self.clock.now(), detail=detail)
        except psycopg.OperationalError:
            # this run's session (and lock) ended under it: another scheduler may have
            # taken the slot over, so this run's result is not recorded
            log.error("%s as of %s: lost its claim on the slot mid-run", job.name,
                      as_of.isoformat(), exc_info=True)  # fmt: skip
            return Outcome.failed
        if not ok:
            return Outcome.failed
        log.info("%s as of %s: %s", job.name, as_of.isoformat(), detail)
        return Outcome.done
