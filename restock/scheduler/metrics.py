"""Scheduler metrics, in a registry of its own: runs by job and outcome, durations, and
when each job last succeeded (alert when that grows old)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class SchedulerMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.runs = Counter(
            "restock_job_runs",
            "Job slots by outcome (done, failed, busy, already_run)",
            ["job", "outcome"],
            registry=self.registry,
        )
        self.seconds = Histogram(
            "restock_job_seconds",
            "Time a job run took, by job",
            ["job"],
            buckets=(0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600),
            registry=self.registry,
        )
        self.takeovers = Counter(
            "restock_job_takeovers",
            "Slots run again because their scheduler stopped (or hung) mid-run",
            ["job"],
            registry=self.registry,
        )
        self.last_success = Gauge(
            "restock_job_last_success_timestamp_seconds",
            "Wall-clock time a job last finished successfully",
            ["job"],
            registry=self.registry,
        )
