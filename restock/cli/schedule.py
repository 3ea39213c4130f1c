"""`restock schedule`: run forecast, replenishment, trigger dispatch, the offline
sweep and the morning route planning on their intervals until Ctrl-C (several
processes may run at once)."""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from typing import Any

from prometheus_client import start_http_server

from restock.core.clock import SystemClock
from restock.core.db import ensure_database
from restock.core.migrate import migrate
from restock.core.settings import Settings
from restock.scheduler.jobs import all_jobs
from restock.scheduler.runner import JobRunner
from restock.scheduler.service import Scheduler


def register(subparsers: Any) -> None:
    cmd = subparsers.add_parser("schedule", help="run the periodic jobs until stopped")
    cmd.add_argument(
        "--once",
        metavar="JOB",
        choices=["forecast", "replenish", "dispatch", "offline_sweep", "routes"],
        help="run one job for the current slot and exit",
    )
    cmd.set_defaults(func=run_schedule)


def run_schedule(args: argparse.Namespace) -> int:
    settings = Settings()
    ensure_database(settings.database_url)
    migrate(settings.database_url)
    clock = SystemClock()
    if args.once:
        job = next(j for j in all_jobs(settings) if j.name == args.once)
        runner = JobRunner(
            settings.database_url, clock, "cli", run_timeout_s=settings.schedule_run_timeout_s
        )
        outcome = runner.run(job)
        print(f"{job.name}: {outcome.value}")
        return 0 if outcome.value != "failed" else 1
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # one line per job run is ours
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    scheduler = Scheduler(settings, clock)
    http, _ = start_http_server(
        settings.scheduler_metrics_port,
        addr=settings.metrics_host,
        registry=scheduler.runner.metrics.registry,
    )
    print(f"scheduler metrics on http://{settings.metrics_host}:{http.server_port}/metrics")
    scheduler.start()
    try:
        stop.wait()
    finally:
        scheduler.stop()
        http.shutdown()
        http.server_close()
    return 0
