"""Replaying kept messages once their cause is fixed (a sensor registered, re-enabled,
recalibrated; a stored value deleted): a reading that arrived too early is not lost
either."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from restock.core.clock import Clock
from restock.ingest import queries
from restock.ingest.batch import Message, judge, store
from restock.ingest.payload import Limits


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplayResult:
    examined: int
    accepted: int  # messages now written, marked replayed
    readings_inserted: int
    still_rejected: int  # left pending, their row untouched
    conflicting: int  # of those, messages with a reading whose time holds another value


def replay(
    conn: queries.Conn,
    *,
    clock: Clock,
    prefix: str,
    limits: Limits,
    reason: str | None = None,
    sensor_id: str | None = None,
    batch: int = 1000,
) -> ReplayResult:
    """Judge pending rejected messages again with today's sensor registry and write the
    ones now accepted, the way ingest writes a live batch.

    A message is marked replayed, in the transaction that writes it, only when every
    reading of it is now stored with its value. One still refused — by judging, by the
    database (found by splitting the batch, as live ingest does), or because its
    sensor and time hold another value — stays pending in its row, untouched, and
    nothing new is kept for it; the readings of it that could be written are.
    Raises psycopg.OperationalError if the database goes away (what was committed stays).
    """
    sensors = queries.load_sensors(conn)
    examined = accepted = inserted = still = conflicting = 0
    last_id = 0
    while rows := queries.pending_rejections(
        conn, reason=reason, sensor_id=sensor_id, after_id=last_id, limit=batch
    ):
        last_id = rows[-1][0]
        now = clock.now()
        clean: list[Message] = []
        keys_of: dict[int, set[tuple[str, datetime, float]]] = {}
        for row_id, topic, payload, _reason in rows:
            examined += 1
            message: Message = (topic, payload, row_id, 0, 0.0)
            judged = judge([message], sensors, prefix=prefix, received_at=now, limits=limits)
            if judged.rejections:
                still += 1
                continue
            clean.append(message)
            keys_of[row_id] = {(r.sensor_id, r.time, r.raw_value) for r in judged.readings}
        with conn.transaction():
            tally = store(
                conn,
                clean,
                sensors=sensors,
                prefix=prefix,
                received_at=now,
                limits=limits,
                keep=False,
            )
            refused = {mid for _topic, _payload, mid, _qos, _t in tally.refused}
            differs = {(r.sensor_id, r.time, r.raw_value) for r in tally.conflicting}
            in_conflict = {row_id for row_id, keys in keys_of.items() if keys & differs}
            done = [m[2] for m in clean if m[2] not in refused and m[2] not in in_conflict]
            queries.mark_replayed(conn, done, now)
        accepted += len(done)
        still += len(clean) - len(done)
        conflicting += len(in_conflict - refused)
        inserted += tally.inserted
    return ReplayResult(
        examined=examined,
        accepted=accepted,
        readings_inserted=inserted,
        still_rejected=still,
        conflicting=conflicting,
    )
