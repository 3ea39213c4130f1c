"""Scheduler tests' shared pieces: a slot time, a job that counts its runs, a race."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

from restock.scheduler.runner import JobRunner, JobSpec, Outcome

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
HOUR = 3600.0


def counting_job(calls: list[datetime], *, pause: float = 0.0) -> JobSpec:
    """A job named "counting" that records each as_of it runs for, then sleeps `pause`."""

    def run(as_of: datetime) -> str:
        calls.append(as_of)
        time.sleep(pause)
        return "ok"

    return JobSpec(name="counting", interval_s=HOUR, run=run)


def race(runners: list[JobRunner], job: JobSpec) -> list[Outcome]:
    """Every runner runs `job` at once, each on its own thread; their outcomes."""
    outcomes: list[Outcome] = []
    threads = [threading.Thread(target=lambda r=r: outcomes.append(r.run(job))) for r in runners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes
