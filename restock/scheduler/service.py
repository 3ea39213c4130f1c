"""APScheduler driving the job runner: one interval trigger per job.

Every job also runs once at start-up: if this process (or every scheduler) was down
over one or more slots, the current slot is run once, not each missed one. While
running, APScheduler coalesces missed firings (`coalesce=True`) and never overlaps a
job with itself (`max_instances=1`); across processes the runner's lock and slot claim
do the same.
"""

from __future__ import annotations

import logging
import socket
import uuid
from collections.abc import Sequence

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from restock.core.clock import Clock
from restock.core.settings import Settings
from restock.scheduler.jobs import all_jobs
from restock.scheduler.runner import JobRunner, JobSpec

log = logging.getLogger(__name__)


class Scheduler:
    """`start()` runs every job now and then on its interval; `stop()` waits for runs."""

    def __init__(
        self, settings: Settings, clock: Clock, *, jobs: Sequence[JobSpec] | None = None
    ) -> None:
        self.scheduler_id = f"{socket.gethostname()}-{uuid.uuid4().hex[:8]}"
        self.runner = JobRunner(
            settings.database_url,
            clock,
            self.scheduler_id,
            run_timeout_s=settings.schedule_run_timeout_s,
        )
        self.jobs = list(jobs) if jobs is not None else all_jobs(settings)
        self._clock = clock
        self._grace = max(1, int(settings.schedule_misfire_grace_s))
        self._aps = BackgroundScheduler(
            executors={"default": ThreadPoolExecutor(max_workers=max(1, len(self.jobs)))},
            timezone="UTC",
        )

    def start(self) -> None:
        now = self._clock.now()
        for job in self.jobs:
            self._aps.add_job(
                self.runner.run,
                IntervalTrigger(seconds=job.interval_s, timezone="UTC"),
                args=(job,),
                id=job.name,
                name=job.name,
                next_run_time=now,  # catch up the current slot once at start
                coalesce=True,
                max_instances=1,
                misfire_grace_time=self._grace,
            )
        self._aps.start()
        log.info(
            "scheduler %s started: %s",
            self.scheduler_id,
            ", ".join(f"{j.name} every {j.interval_s:g}s" for j in self.jobs),
        )

    def stop(self, wait: bool = True) -> None:
        if self._aps.running:
            self._aps.shutdown(wait=wait)
        log.info("scheduler %s stopped", self.scheduler_id)
