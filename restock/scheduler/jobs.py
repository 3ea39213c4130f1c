"""The jobs restock runs on a schedule, built from Settings.

Each is a function of `as_of` returning a one-line summary. Replenishment and dispatch
import their package when they run, so the scheduler starts even while one is broken.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timedelta

import psycopg

from restock.core.settings import Settings
from restock.scheduler import queries
from restock.scheduler.runner import JobSpec

FORECAST = "forecast"
REPLENISH = "replenish"
DISPATCH = "dispatch"
OFFLINE_SWEEP = "offline_sweep"
ROUTES = "routes"


def forecast_job(settings: Settings) -> JobSpec:
    def run(as_of: datetime) -> str:
        from restock.forecast.job import run_forecast_job

        summary = run_forecast_job(
            settings.database_url, as_of=as_of, workers=settings.schedule_forecast_workers
        )
        return f"forecast {summary.forecast}, skipped {summary.skipped}, failed {summary.failed}"

    return JobSpec(name=FORECAST, interval_s=settings.schedule_forecast_s, run=run)


def replenish_job(settings: Settings) -> JobSpec:
    def run(as_of: datetime) -> str:
        from restock.replenish.job import JobConfig, run_replenish_job

        config = JobConfig.from_settings(settings)
        with psycopg.connect(settings.database_url, autocommit=True) as conn:
            summary = run_replenish_job(conn, as_of=as_of, config=config)
        return ", ".join(f"{k} {v}" for k, v in asdict(summary).items() if k != "as_of")

    return JobSpec(name=REPLENISH, interval_s=settings.schedule_replenish_s, run=run)


def dispatch_job(settings: Settings) -> JobSpec:
    def run(as_of: datetime) -> str:
        from restock.scheduler.dispatch import dispatch_once

        return dispatch_once(settings, as_of)

    return JobSpec(name=DISPATCH, interval_s=settings.schedule_dispatch_s, run=run)


def offline_sweep_job(settings: Settings) -> JobSpec:
    def run(as_of: datetime) -> str:
        cutoff = as_of - timedelta(seconds=settings.sensor_offline_after_s)
        with psycopg.connect(settings.database_url, autocommit=True) as conn:
            marked = queries.sweep_offline(conn, as_of=as_of, cutoff=cutoff)
        return f"{len(marked)} sensor(s) marked offline" + (f": {marked[:20]}" if marked else "")

    return JobSpec(name=OFFLINE_SWEEP, interval_s=settings.schedule_offline_sweep_s, run=run)


def routes_job(settings: Settings) -> JobSpec:
    """Each rep's route for the day, planned once in the morning (see visits.morning)."""

    def run(as_of: datetime) -> str:
        from restock.replenish.segments import ReplenishConfig
        from restock.replenish.visits.morning import plan_routes

        config = ReplenishConfig.from_settings(settings)
        with psycopg.connect(settings.database_url, autocommit=True) as conn:
            built = plan_routes(conn, as_of=as_of, config=config)
        return f"{len(built)} route(s) planned" + (f": {', '.join(built[:20])}" if built else "")

    return JobSpec(name=ROUTES, interval_s=settings.schedule_routes_s, run=run)


def all_jobs(settings: Settings) -> list[JobSpec]:
    return [
        forecast_job(settings),
        replenish_job(settings),
        dispatch_job(settings),
        offline_sweep_job(settings),
        routes_job(settings),
    ]
