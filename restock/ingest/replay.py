"""Replaying kept messages once their cause is fixed (a sensor registered, re-enabled,
recalibrated): a reading that arrived too early is not lost either."""

from __future__ import annotations

from dataclasses import dataclass

from restock.core.clock import Clock
from restock.ingest import queries
from restock.ingest.payload import Limits
from restock.ingest.writer import Judged, Message, commit, judge


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplayResult:
    examined: int
    accepted: int  # messages now fully accepted, marked replayed
    readings_inserted: int
    still_rejected: int


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
    """Judge pending rejected messages again with today's sensor registry.

    A message whose every reading is now accepted is written and marked replayed; one
    still refused stays pending, untouched (its original reason kept).
    """
    sensors = queries.load_sensors(conn)
    examined = accepted = inserted = still = 0
    last_id = 0
    while True:
        rows = queries.pending_rejections(
            conn, reason=reason, sensor_id=sensor_id, after_id=last_id, limit=batch
        )
        if not rows:
            break
        last_id = rows[-1][0]
        now = clock.now()
        good = Judged()
        good_ids: list[int] = []
        for row_id, topic, payload, _reason in rows:
            examined += 1
            message: Message = (topic, payload, 0, 0, 0.0)
            judged = judge([message], sensors, prefix=prefix, received_at=now, limits=limits)
            if judged.rejections:
                still += 1
                continue
            good.readings.extend(judged.readings)
            good.statuses.extend(judged.statuses)
            for reading in judged.latest.values():
                good.note_latest(reading)
            good_ids.append(row_id)
        with conn.transaction():
            inserted += commit(conn, good, now)
            queries.mark_replayed(conn, good_ids, now)
        accepted += len(good_ids)
    return ReplayResult(
        examined=examined, accepted=accepted, readings_inserted=inserted, still_rejected=still
    )
