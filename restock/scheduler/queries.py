"""The scheduler's SQL: claiming and finishing job slots, and the offline-sensor sweep."""

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


def finish_slot(conn: Conn, run_id: int, *, ok: bool, at: datetime, detail: str) -> None:
    conn.execute(FINISH, ("done" if ok else "failed", at, detail[:2000], run_id))


def sweep_offline(conn: Conn, *, as_of: datetime, cutoff: datetime) -> list[str]:
    """Mark enabled sensors silent since before `cutoff` offline; returns their ids."""
    return [str(r[0]) for r in conn.execute(SWEEP_OFFLINE, {"as_of": as_of, "cutoff": cutoff})]
