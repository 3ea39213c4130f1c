"""Replaying kept messages once their cause is fixed (a sensor registered, re-enabled,
recalibrated): a reading that arrived too early is not lost either."""

from __future__ import annotations

from dataclasses import dataclass

from restock.core.clock import Clock
from restock.ingest import queries
from restock.ingest.batch import Message, judge, store
from restock.ingest.payload import Limits


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplayResult:
    examined: int
    accepted: int  # messages now accepted and written, marked replayed
    readings_inserted: int
    still_rejected: int  # left pending, their original reason kept
    newly_rejected: int  # readings of accepted messages kept anew (a conflicting value)


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

    A message whose every reading is now accepted is written and marked replayed in the
    same transaction. One still refused stays pending, untouched: by judging, or by the
    database (found by splitting the batch, as live ingest does), so one bad message
    never stops a replay. A reading of an accepted message that conflicts with a stored
    value is kept as a new `conflicting_value` rejection.
    Raises psycopg.OperationalError if the database goes away (what was committed stays).
    """
    sensors = queries.load_sensors(conn)
    examined = accepted = inserted = still = fresh = 0
    last_id = 0
    while rows := queries.pending_rejections(
        conn, reason=reason, sensor_id=sensor_id, after_id=last_id, limit=batch
    ):
        last_id = rows[-1][0]
        now = clock.now()
        clean: list[Message] = []
        for row_id, topic, payload, _reason in rows:
            examined += 1
            message: Message = (topic, payload, row_id, 0, 0.0)
            judged = judge([message], sensors, prefix=prefix, received_at=now, limits=limits)
            if judged.rejections:
                still += 1
            else:
                clean.append(message)
        with conn.transaction():
            tally = store(
                conn,
                clean,
                sensors=sensors,
                prefix=prefix,
                received_at=now,
                limits=limits,
                keep_refused=False,
            )
            refused = {mid for _topic, _payload, mid, _qos, _t in tally.refused}
            queries.mark_replayed(conn, [m[2] for m in clean if m[2] not in refused], now)
        accepted += len(clean) - len(refused)
        still += len(refused)
        inserted += tally.inserted
        fresh += sum(tally.kept.values())
    return ReplayResult(
        examined=examined,
        accepted=accepted,
        readings_inserted=inserted,
        still_rejected=still,
        newly_rejected=fresh,
    )
