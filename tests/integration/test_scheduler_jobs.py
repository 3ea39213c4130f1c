"""The scheduler: slots run once across processes, a missed run is caught up once,
failures are recorded, and the real jobs (offline sweep, forecast) run with `as_of`."""

from __future__ import annotations

from datetime import datetime, timedelta

import psycopg

from restock.core.clock import ManualClock
from restock.core.settings import Settings
from restock.scheduler.jobs import forecast_job, offline_sweep_job
from restock.scheduler.runner import JobRunner, JobSpec, Outcome
from restock.scheduler.service import Scheduler
from tests.support.scheduler import HOUR, T0, counting_job, race
from tests.support.world import add_sensor, count, wait_for


def test_two_schedulers_at_once_run_a_slot_once(database_url: str) -> None:
    calls: list[datetime] = []
    job = counting_job(calls, pause=0.5)
    clock = ManualClock(T0 + timedelta(minutes=7))
    runners = [JobRunner(database_url, clock, f"scheduler-{i}") for i in range(2)]
    outcomes = race(runners, job)
    assert calls == [T0]  # as_of is the slot: the clock floored to the hour
    assert outcomes.count(Outcome.done) == 1
    assert set(outcomes) - {Outcome.done} <= {Outcome.busy, Outcome.already_run}
    # and later, a second scheduler reaching the same slot does not run it again
    assert runners[1].run(job) is Outcome.already_run
    assert calls == [T0]


def test_a_missed_run_is_caught_up_once_at_start(database_url: str, db: psycopg.Connection) -> None:
    calls: list[datetime] = []
    job = counting_job(calls)
    clock = ManualClock(T0)
    assert JobRunner(database_url, clock, "before").run(job) is Outcome.done
    clock.advance(timedelta(hours=5, minutes=30))  # five slots missed while down
    scheduler = Scheduler(Settings(database_url=database_url), clock, jobs=[job])
    scheduler.start()
    try:
        wait_for(lambda: len(calls) >= 2, what="the catch-up run")
    finally:
        scheduler.stop()
    assert calls == [T0, T0 + timedelta(hours=5)]
    assert (
        count(db, "SELECT count(*) FROM job_runs WHERE job = 'counting' AND status = 'done'") == 2
    )


def test_a_failing_job_is_recorded_and_the_next_slot_runs(
    database_url: str, db: psycopg.Connection
) -> None:
    attempts: list[datetime] = []

    def run(as_of: datetime) -> str:
        attempts.append(as_of)
        if len(attempts) == 1:
            raise RuntimeError("forecast store unreachable")
        return "ok"

    job = JobSpec(name="flaky", interval_s=HOUR, run=run)
    clock = ManualClock(T0)
    runner = JobRunner(database_url, clock, "s")
    assert runner.run(job) is Outcome.failed
    clock.advance(timedelta(hours=1))
    assert runner.run(job) is Outcome.done
    rows = db.execute("SELECT status, detail FROM job_runs WHERE job = 'flaky' ORDER BY as_of")
    assert [(r[0], r[1]) for r in rows] == [
        ("failed", "RuntimeError: forecast store unreachable"),
        ("done", "ok"),
    ]


def test_the_offline_sweep_marks_silent_sensors_offline(
    database_url: str, db: psycopg.Connection
) -> None:
    add_sensor(db, "quiet")
    add_sensor(db, "chatty")
    db.execute("UPDATE sensors SET status = 'online', last_seen = %s WHERE id = 'quiet'",
               (T0 - timedelta(hours=4),))  # fmt: skip
    db.execute("UPDATE sensors SET status = 'online', last_seen = %s WHERE id = 'chatty'",
               (T0 - timedelta(minutes=10),))  # fmt: skip
    settings = Settings(database_url=database_url, sensor_offline_after_s=3 * HOUR)
    job = offline_sweep_job(settings)
    assert JobRunner(database_url, ManualClock(T0), "s").run(job) is Outcome.done
    rows = dict(db.execute("SELECT id, status FROM sensors").fetchall())
    assert rows == {"quiet": "offline", "chatty": "online"}


def test_the_forecast_job_runs_as_of_the_slot(database_url: str, db: psycopg.Connection) -> None:
    stock_point = add_sensor(db, "shelf", kind="shelf_count", unit="count", capacity=100)
    with db.cursor().copy("COPY readings (time, sensor_id, raw_value, quantity) FROM STDIN") as cp:
        for hour in range(24 * 7):
            level = 100.0 - (hour % 48)
            cp.write_row((T0 - timedelta(hours=24 * 7 - hour), "shelf", level, level))
    settings = Settings(database_url=database_url, schedule_forecast_workers=1)
    clock = ManualClock(T0 + timedelta(minutes=20))
    assert JobRunner(database_url, clock, "s").run(forecast_job(settings)) is Outcome.done
    row = db.execute("SELECT as_of FROM forecasts WHERE stock_point_id = %s", (stock_point,))
    assert [r[0] for r in row] == [T0]


def test_metrics_count_each_outcome_and_the_last_success(database_url: str) -> None:
    calls: list[datetime] = []
    runner = JobRunner(database_url, ManualClock(T0), "s")
    runner.run(counting_job(calls))
    runner.run(counting_job(calls))
    registry = runner.metrics.registry
    done = {"job": "counting", "outcome": "done"}
    again = {"job": "counting", "outcome": "already_run"}
    assert registry.get_sample_value("restock_job_runs_total", done) == 1
    assert registry.get_sample_value("restock_job_runs_total", again) == 1
    last = registry.get_sample_value(
        "restock_job_last_success_timestamp_seconds", {"job": "counting"}
    )
    assert last is not None and last > 0
