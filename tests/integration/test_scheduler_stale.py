"""A scheduler that dies or hangs mid-run: its slot is run again, by exactly one other
scheduler, and a slot it left behind is closed rather than left 'running' for ever."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

from restock.core.clock import ManualClock
from restock.scheduler.runner import JobRunner, JobSpec, Outcome
from tests.support.scheduler import HOUR, T0, counting_job, race
from tests.support.world import count, wait_for

ADVISORY_LOCKS = (
    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
    " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
)

# A scheduler process whose job never returns: it claims the slot, then is killed.
DOOMED = """
import sys
from datetime import datetime
from restock.core.clock import ManualClock
from restock.scheduler.runner import JobRunner
from tests.support.scheduler import counting_job
url, now = sys.argv[1], datetime.fromisoformat(sys.argv[2])
JobRunner(url, ManualClock(now), "doomed").run(counting_job([], pause=600))
"""


def runs(db: psycopg.Connection) -> list[tuple[datetime, str, str]]:
    rows = db.execute("SELECT as_of, status, scheduler FROM job_runs ORDER BY as_of")
    return [(r[0], r[1], r[2]) for r in rows]


def kill_mid_run(database_url: str, db: psycopg.Connection, now: datetime) -> None:
    """A scheduler process claims `now`'s slot and is killed (SIGKILL) while running it."""
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    proc = subprocess.Popen([sys.executable, "-c", DOOMED, database_url, now.isoformat()], env=env)
    try:
        wait_for(
            lambda: count(db, "SELECT count(*) FROM job_runs WHERE status = 'running'") == 1,
            30,
            "the doomed scheduler's claim",
        )
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    wait_for(  # the server notices the session is gone, and with it the job's lock
        lambda: count(db, ADVISORY_LOCKS) == 0,
        30,
        "the killed scheduler's session to end",
    )


def test_a_slot_left_running_by_a_killed_scheduler_is_run_again_once(
    database_url: str, db: psycopg.Connection
) -> None:
    clock = ManualClock(T0 + timedelta(minutes=7))
    kill_mid_run(database_url, db, clock.now())
    assert runs(db) == [(T0, "running", "doomed")]

    calls: list[datetime] = []
    job = counting_job(calls)
    runners = [JobRunner(database_url, clock, f"scheduler-{i}") for i in range(3)]
    outcomes = race(runners, job)
    assert calls == [T0]
    assert outcomes.count(Outcome.done) == 1
    assert set(outcomes) - {Outcome.done} <= {Outcome.busy, Outcome.already_run}
    [(as_of, status, scheduler)] = runs(db)
    assert (as_of, status) == (T0, "done") and scheduler.startswith("scheduler-")
    assert JobRunner(database_url, clock, "later").run(job) is Outcome.already_run
    taken = sum(
        r.metrics.registry.get_sample_value("restock_job_takeovers_total", {"job": "counting"}) or 0
        for r in runners
    )
    assert taken == 1


def test_a_slot_a_killed_scheduler_left_behind_is_closed_by_the_next_slots_run(
    database_url: str, db: psycopg.Connection
) -> None:
    clock = ManualClock(T0 + timedelta(minutes=7))
    kill_mid_run(database_url, db, clock.now())
    clock.advance(timedelta(hours=1))
    calls: list[datetime] = []
    assert JobRunner(database_url, clock, "next").run(counting_job(calls)) is Outcome.done
    assert calls == [T0 + timedelta(hours=1)]  # a missed slot is not caught up
    assert runs(db) == [(T0, "failed", "doomed"), (T0 + timedelta(hours=1), "done", "next")]
    detail = db.execute("SELECT detail FROM job_runs WHERE as_of = %s", (T0,)).fetchone()
    assert detail == ("abandoned: scheduler doomed stopped mid-run",)


def test_a_run_hung_past_the_timeout_is_ended_and_its_slot_run_again(
    database_url: str, db: psycopg.Connection
) -> None:
    day = 24 * HOUR
    release = threading.Event()
    calls: list[tuple[str, datetime]] = []

    def job_for(who: str, *, hang: bool) -> JobSpec:
        def run(as_of: datetime) -> str:
            calls.append((who, as_of))
            if hang:
                release.wait(60)
            return "ok"

        return JobSpec(name="counting", interval_s=day, run=run)

    started = ManualClock(T0)
    hung = JobRunner(database_url, started, "hung", run_timeout_s=HOUR)
    outcome: list[Outcome] = []
    thread = threading.Thread(target=lambda: outcome.append(hung.run(job_for("hung", hang=True))))
    thread.start()
    try:
        wait_for(lambda: len(calls) == 1, 30, "the run that hangs to start")
        soon = JobRunner(database_url, ManualClock(T0 + timedelta(minutes=30)), "soon",
                         run_timeout_s=HOUR)  # fmt: skip
        assert soon.run(job_for("soon", hang=False)) is Outcome.busy  # still within the hour
        late = JobRunner(database_url, ManualClock(T0 + timedelta(hours=2)), "late",
                         run_timeout_s=HOUR)  # fmt: skip
        assert late.run(job_for("late", hang=False)) is Outcome.done
    finally:
        release.set()
        thread.join()
    slot = datetime(2026, 11, 20, tzinfo=UTC)
    assert calls == [("hung", slot), ("late", slot)]
    assert outcome == [Outcome.failed]  # its session was ended: its result is not recorded
    assert runs(db) == [(slot, "done", "late")]
