"""The scheduler's SQL: claiming, taking over and finishing job slots, and the
offline-sensor sweep."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

import psycopg

Conn = psycopg.Connection[Any]

TRY_LOCK = "SELECT pg_try_advisory_lock(%s)"
UNLOCK = "SELECT pg_advisory_unlock(%s)"
CLAIM = """
INSERT INTO job_runs (job, as_of, scheduler, started_at) VALUES (%s, %s, %s, %s)
ON CONFLICT (job, as_of) DO NOTHING RETURNING id
"""
# Run under the job's lock: a 'running' row is then one whose scheduler stopped mid-run
# (its session, and so its lock, is gone). The current slot is taken over and run again;
# earlier slots are closed as failed (a missed slot is not caught up).
TAKE_OVER = """
UPDATE job_runs r SET scheduler = %(scheduler)s, started_at = %(at)s
FROM (SELECT id, scheduler FROM job_runs
      WHERE job = %(job)s AND as_of = %(as_of)s AND status = 'running' FOR UPDATE) old
WHERE r.id = old.id
RETURNING r.id, old.scheduler
"""
ABANDON = """
UPDATE job_runs SET status = 'failed', finished_at = %(at)s,
       detail = 'abandoned: scheduler ' || scheduler || ' stopped mid-run'
WHERE job = %(job)s AND status = 'running' AND as_of <> %(as_of)s
RETURNING as_of, scheduler
"""
# End the session holding a job's lock when its run started before the cutoff (hung):
# the session's lock goes with it. Waits up to 5 s for the session to end.
END_HUNG_HOLDER = """
SELECT pg_terminate_backend(l.pid, 5000) FROM pg_locks l
WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
  AND ((l.classid::bigint << 32) | l.objid::bigint) = %(key)s
  AND EXISTS (SELECT 1 FROM job_runs
              WHERE job = %(job)s AND status = 'running' AND started_at < %(cutoff)s)
"""
FINISH = "UPDATE job_runs SET status = %s, finished_at = %s, detail = %s WHERE id = %s"
SWEEP_OFFLINE = """
UPDATE sensors SET status = 'offline', status_changed_at = %(as_of)s
WHERE enabled AND status <> 'offline'
  AND last_seen IS NOT NULL AND last_seen < %(cutoff)s
RETURNING id
"""


def lock_key(job: str) -> int:
    """A stable signed 64-bit advisory-lock key for a job name."""
    digest = hashlib.sha256(f"restock.scheduler.{job}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def try_lock(conn: Conn, job: str) -> bool:
    row = conn.execute(TRY_LOCK, (lock_key(job),)).fetchone()
    return bool(row and row[0])


def unlock(conn: Conn, job: str) -> None:
    conn.execute(UNLOCK, (lock_key(job),))


def claim_slot(conn: Conn, job: str, as_of: datetime, scheduler: str, at: datetime) -> int | None:
    """Record that `scheduler` runs `job` for `as_of`; None if the slot was already taken."""
    row = conn.execute(CLAIM, (job, as_of, scheduler, at)).fetchone()
    return None if row is None else int(row[0])


def take_over_slot(
    conn: Conn, job: str, as_of: datetime, scheduler: str, at: datetime
) -> tuple[int, str] | None:
    """Claim `job`'s slot left 'running' by a scheduler that stopped; (run id, that
    scheduler), or None if the slot is not running. Only under the job's lock."""
    params = {"job": job, "as_of": as_of, "scheduler": scheduler, "at": at}
    row = conn.execute(TAKE_OVER, params).fetchone()
    return None if row is None else (int(row[0]), str(row[1]))


def abandon_stale_runs(
    conn: Conn, job: str, as_of: datetime, at: datetime
) -> list[tuple[datetime, str]]:
    """Mark `job`'s runs of slots other than `as_of` still 'running' as failed; returns
    their (slot, scheduler). Only under the job's lock."""
    rows = conn.execute(ABANDON, {"job": job, "as_of": as_of, "at": at}).fetchall()
    return [(r[0], str(r[1])) for r in rows]


def end_hung_holder(conn: Conn, job: str, cutoff: datetime) -> bool:
    """End the session holding `job`'s lock if its run started before `cutoff`; True
    if one was ended."""
    params = {"key": lock_key(job), "job": job, "cutoff": cutoff}
    return any(r[0] for r in conn.execute(END_HUNG_HOLDER, params).fetchall())


def finish_slot(conn: Conn, run_id: int, *, ok: bool, at: datetime, detail: str) -> None:
    conn.execute(FINISH, ("done" if ok else "failed", at, detail[:2000], run_id))


def sweep_offline(conn: Conn, *, as_of: datetime, cutoff: datetime) -> list[str]:
    """Mark enabled sensors silent since before `cutoff` offline; returns their ids."""
    return [str(r[0]) for r in conn.execute(SWEEP_OFFLINE, {"as_of": as_of, "cutoff": cutoff})]
