"""One batch of messages, from judging to committed rows.

Judging is pure and confined per message: whatever goes wrong with one message,
even a bug, makes that message a rejection, never an exception out of the batch.
Storing is confined too: when the database refuses a batch for something in it
(rather than for being away), the batch is split in halves until the refused
message is found, and within a gateway array until the refused reading is; only
that is kept as `write_failed`, everything else is written.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from operator import itemgetter
from typing import TypeVar

import psycopg

from restock.ingest import queries
from restock.ingest.errors import CannotKeepError, Reason
from restock.ingest.payload import (
    Limits,
    Reading,
    Rejection,
    SensorInfo,
    StatusChange,
    message_rejection,
    parse_level,
    parse_status,
    parse_topic,
    reading_rejection,
)

log = logging.getLogger(__name__)

# (topic, payload, mid, qos, monotonic receive time)
Message = tuple[str, bytes, int, int, float]

T = TypeVar("T")

_time = itemgetter(0)  # Reading.time
_DETAIL_MAX = 500


@dataclass(slots=True, kw_only=True)
class Judged:
    readings: list[Reading] = field(default_factory=list)
    latest: dict[str, Reading] = field(default_factory=dict)  # newest reading per sensor
    rejections: list[Rejection] = field(default_factory=list)
    statuses: list[StatusChange] = field(default_factory=list)

    def note_latest(self, reading: Reading) -> None:
        seen = self.latest.get(reading.sensor_id)
        if seen is None or reading.time >= seen.time:
            self.latest[reading.sensor_id] = reading


@dataclass(slots=True, kw_only=True)
class Tally:
    """What storing a batch did."""

    inserted: int = 0  # readings newly stored
    duplicates: int = 0  # readings already stored with the same value
    # readings refused because their sensor and time hold another value (the first)
    conflicting: list[Reading] = field(default_factory=list)
    kept: Counter[str] = field(default_factory=Counter)  # rejections newly kept, by reason
    kept_before: int = 0  # rejections already kept (same key), not kept again
    refused: list[Message] = field(default_factory=list)  # the database refused (some of)

    def add(self, other: Tally) -> Tally:
        self.inserted += other.inserted
        self.duplicates += other.duplicates
        self.conflicting.extend(other.conflicting)
        self.kept.update(other.kept)
        self.kept_before += other.kept_before
        self.refused.extend(other.refused)
        return self


def judge(
    messages: Sequence[Message],
    sensors: dict[str, SensorInfo],
    *,
    prefix: str,
    received_at: datetime,
    limits: Limits,
) -> Judged:
    """Sort a batch of raw messages into readings, rejections and status changes.

    Never raises: a message that makes judging fail is an `internal_error` rejection.
    """
    out = Judged()
    for topic, payload, _mid, _qos, _t in messages:
        try:
            parsed = parse_topic(topic, prefix)
            if parsed is None:
                out.rejections.append(
                    message_rejection(
                        topic,
                        payload,
                        Reason.BAD_TOPIC,
                        f"expected {prefix}/sensors/<sensor_id>/level|status",
                        None,
                    )
                )
            elif parsed.kind == "level":
                readings, rejections = parse_level(
                    topic,
                    parsed.sensor_id,
                    payload,
                    sensors.get(parsed.sensor_id),
                    received_at,
                    limits,
                )
                if readings:
                    newest = max(readings, key=_time) if len(readings) > 1 else readings[0]
                    out.readings.extend(readings)
                    out.note_latest(newest)
                out.rejections.extend(rejections)
            else:
                status = _status(topic, parsed.sensor_id, payload, sensors)
                if isinstance(status, StatusChange):
                    out.statuses.append(status)
                else:
                    out.rejections.append(status)
        except Exception as exc:  # a bug costs this one message, never the worker
            log.exception("judging a message from %s failed; keeping it", topic)
            detail = f"judging it raised {type(exc).__name__}: {exc}"[:_DETAIL_MAX]
            out.rejections.append(
                message_rejection(topic, payload, Reason.INTERNAL_ERROR, detail, None)
            )
    return out


def _status(
    topic: str, sensor_id: str, payload: bytes, sensors: dict[str, SensorInfo]
) -> StatusChange | Rejection:
    status = parse_status(topic, sensor_id, payload)
    if isinstance(status, StatusChange) and sensor_id not in sensors:
        detail = f"sensor {sensor_id} is not registered"
        return message_rejection(topic, payload, Reason.UNKNOWN_SENSOR, detail, sensor_id)
    return status


def commit(
    conn: queries.Conn, judged: Judged, received_at: datetime, prefix: str, *, keep: bool = True
) -> Tally:
    """Write one judged batch in one transaction (a savepoint inside an open one).

    A reading whose sensor and time already hold another value is listed in the tally
    and, with `keep`, kept as a `conflicting_value` rejection. Raises what the
    database raises.
    """
    with conn.transaction():
        inserted, conflicts = queries.insert_readings(conn, judged.readings)
        rejections = judged.rejections
        if conflicts and keep:
            rejections = rejections + [
                reading_rejection(
                    f"{prefix}/sensors/{c.reading.sensor_id}/level",
                    c.reading,
                    Reason.CONFLICTING_VALUE,
                    f"sensor {c.reading.sensor_id} at {c.reading.time.isoformat()} already has"
                    f" value {c.kept_value!r} (the first received), which is kept;"
                    f" this reading says {c.reading.raw_value!r}",
                )
                for c in conflicts
            ]
        kept = queries.insert_rejections(conn, rejections, received_at)
        queries.touch_sensors(conn, judged.latest, received_at)
        queries.set_status(conn, judged.statuses, received_at)
    return Tally(
        inserted=inserted,
        duplicates=len(judged.readings) - inserted - len(conflicts),
        conflicting=[c.reading for c in conflicts],
        kept=Counter(kept),
        kept_before=len(rejections) - len(kept),
    )


def store(
    conn: queries.Conn,
    messages: Sequence[Message],
    *,
    sensors: dict[str, SensorInfo],
    prefix: str,
    received_at: datetime,
    limits: Limits,
    judged: Judged | None = None,
    keep: bool = True,
) -> Tally:
    """Commit `messages` (`judged` already, or judged here). What the database refuses
    is narrowed down to the message, and in a gateway array to the reading, it belongs
    to; the rest is written. Refused messages and conflicting readings are listed in
    the tally and, with `keep`, kept as new rejections (`write_failed`,
    `conflicting_value`); a replay leaves them in the row they came from.

    Raises psycopg.OperationalError (or another error on a broken connection) when the
    database is away, for the caller to retry; CannotKeepError when even a rejection
    cannot be kept.
    """

    def judge_part(part: Sequence[Message]) -> Judged:
        return judge(part, sensors, prefix=prefix, received_at=received_at, limits=limits)

    def write(part: Sequence[Message]) -> Tally:
        whole = judged if judged is not None and part is messages else judge_part(part)
        return commit(conn, whole, received_at, prefix, keep=keep)

    def refused(message: Message, error: Exception) -> Tally:
        log.warning("the database refused a message from %s: %s", message[0], error)
        tally = _store_refused(
            conn, message, error, judge_part([message]), received_at, prefix, keep
        )
        tally.refused.append(message)
        return tally

    return _bisect(conn, messages, write, refused)


def _store_refused(
    conn: queries.Conn,
    message: Message,
    error: Exception,
    judged: Judged,
    received_at: datetime,
    prefix: str,
    keep: bool,
) -> Tally:
    """One message the database refused: an array has its readings written but the
    refused ones (kept one by one) and its bad elements kept as usual; a message of
    one reading, or one the database refuses for something other than its readings,
    is refused whole."""
    topic, payload = message[0], message[1]
    if judged.readings and len(judged.readings) + len(judged.rejections) > 1:

        def write(readings: Sequence[Reading]) -> Tally:
            part = Judged(readings=list(readings))
            for reading in readings:
                part.note_latest(reading)
            return commit(conn, part, received_at, prefix, keep=keep)

        def refused(reading: Reading, cause: Exception) -> Tally:
            if not keep:
                return Tally()
            rejection = reading_rejection(topic, reading, Reason.WRITE_FAILED, _refusal(cause))
            return _keep(conn, rejection, received_at, prefix)

        tally = _bisect(conn, judged.readings, write, refused)
        rest = Judged(rejections=judged.rejections, statuses=judged.statuses)
        try:
            return tally.add(commit(conn, rest, received_at, prefix, keep=keep))
        except Exception as exc:
            if not _refused_by_database(conn, exc):
                raise
            error = exc
    if not keep:
        return Tally()
    parsed = parse_topic(topic, prefix)
    sensor_id = None if parsed is None else parsed.sensor_id
    whole = message_rejection(topic, payload, Reason.WRITE_FAILED, _refusal(error), sensor_id)
    return _keep(conn, whole, received_at, prefix)


def _keep(conn: queries.Conn, rejection: Rejection, received_at: datetime, prefix: str) -> Tally:
    try:
        return commit(conn, Judged(rejections=[rejection]), received_at, prefix)
    except Exception as exc:
        if not _refused_by_database(conn, exc):
            raise
        raise CannotKeepError(rejection.topic, exc) from exc


def _bisect(
    conn: queries.Conn,
    items: Sequence[T],
    write: Callable[[Sequence[T]], Tally],
    refused: Callable[[T, Exception], Tally],
) -> Tally:
    """`write(items)`; if the database refuses it, write each half the same way, down to
    the single item it refuses, which goes to `refused(item, error)`."""
    try:
        return write(items)
    except Exception as exc:
        if not _refused_by_database(conn, exc):
            raise
        error = exc
    if len(items) == 1:
        return refused(items[0], error)
    half = len(items) // 2
    return _bisect(conn, items[:half], write, refused).add(
        _bisect(conn, items[half:], write, refused)
    )


def _refused_by_database(conn: queries.Conn, error: Exception) -> bool:
    """True if `error` is about what was written, not about reaching the database."""
    return not (isinstance(error, psycopg.OperationalError) or conn.closed or conn.broken)


def _refusal(error: Exception) -> str:
    if isinstance(error, psycopg.Error):
        text = f"the database refused it ({error.sqlstate}): {error.diag.message_primary}"
    else:
        text = f"writing it raised {type(error).__name__}: {error}"
    return text[:_DETAIL_MAX]
