"""Every SQL statement ingest runs, one named function each."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

import psycopg
from psycopg import sql

from restock.ingest.payload import Reading, Rejection, SensorInfo, StatusChange

Conn = psycopg.Connection[tuple[object, ...]]


class Conflict(NamedTuple):
    """A reading refused because its sensor and time already hold another value."""

    reading: Reading
    kept_value: float


_STAGING = """
CREATE TEMP TABLE IF NOT EXISTS readings_staging (
    time timestamptz NOT NULL,
    sensor_id text NOT NULL,
    raw_value double precision NOT NULL,
    quantity double precision NOT NULL,
    seq bigint,
    ord integer NOT NULL  -- position in the batch: arrival order
)
"""

# `ord` keeps arrival order, so of two rejections with one key the first is kept
_REJECTED_STAGING = """
CREATE TEMP TABLE IF NOT EXISTS rejected_staging (
    ord bigserial,
    topic text NOT NULL,
    payload bytea NOT NULL,
    reason text NOT NULL,
    detail text NOT NULL,
    sensor_id text,
    dedupe_key bytea NOT NULL
)
"""


def load_sensors(conn: Conn) -> dict[str, SensorInfo]:
    """All registered sensors with their calibration and their stock point's capacity."""
    rows = conn.execute(
        """
        SELECT s.id, s.enabled, s.installed_at, s.tare, s.scale, sp.capacity
        FROM sensors s LEFT JOIN stock_points sp ON sp.id = s.stock_point_id
        """
    ).fetchall()
    return {
        str(r[0]): SensorInfo(
            id=str(r[0]),
            enabled=bool(r[1]),
            installed_at=r[2],  # type: ignore[arg-type]
            tare=float(r[3]),  # type: ignore[arg-type]
            scale=float(r[4]),  # type: ignore[arg-type]
            capacity=None if r[5] is None else float(r[5]),  # type: ignore[arg-type]
        )
        for r in rows
    }


def insert_readings(conn: Conn, readings: Sequence[Reading]) -> tuple[int, list[Conflict]]:
    """Store readings; returns how many were new, and the conflicts: readings whose
    sensor and time hold a different value once written. The first value wins: the one
    already stored, else the first in `readings` (arrival order). Call inside a
    transaction.

    Fast path: binary COPY straight into `readings`. If any row is already stored (a
    duplicate, a redelivery after a crash, a conflict) the COPY fails on the unique key;
    the batch is then rolled back to a savepoint and written through a staging table
    with `INSERT ... ON CONFLICT DO NOTHING` (which also works on TimescaleDB
    hypertables), and what differs from the stored rows is read back.
    """
    if not readings:
        return 0, []
    try:
        with conn.transaction(), conn.cursor() as cur:
            _copy_readings(cur, "readings", readings)
        return len(readings), []
    except psycopg.errors.UniqueViolation:
        pass
    conn.execute(_STAGING)
    with conn.cursor() as cur:
        _copy_readings(cur, "readings_staging", readings, numbered=True)
        cur.execute(
            """
            INSERT INTO readings (time, sensor_id, raw_value, quantity, seq)
            SELECT DISTINCT ON (sensor_id, time) time, sensor_id, raw_value, quantity, seq
            FROM readings_staging
            ORDER BY sensor_id, time, ord
            ON CONFLICT (sensor_id, time) DO NOTHING
            """
        )
        inserted = cur.rowcount
        differing = cur.execute(
            """
            SELECT s.ord, r.raw_value
            FROM readings_staging s
            JOIN readings r ON r.sensor_id = s.sensor_id AND r.time = s.time
            WHERE r.raw_value <> s.raw_value
            ORDER BY s.ord
            """
        ).fetchall()
        cur.execute("TRUNCATE readings_staging")
    conflicts = [
        Conflict(reading=readings[int(ord_)], kept_value=float(kept))  # type: ignore[call-overload, arg-type]
        for ord_, kept in differing
    ]
    return inserted, conflicts


_COLUMNS = ("time", "sensor_id", "raw_value", "quantity", "seq")
_TYPES = ["timestamptz", "text", "float8", "float8", "int8"]


def _copy_readings(
    cur: psycopg.Cursor[tuple[object, ...]],
    table: str,
    rows: Sequence[Reading],
    *,
    numbered: bool = False,
) -> None:
    """Binary COPY of `rows`; `numbered` adds each row's index in `rows` as `ord`."""
    columns = (*_COLUMNS, "ord") if numbered else _COLUMNS
    statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    with cur.copy(statement) as copy:
        if numbered:
            copy.set_types([*_TYPES, "int4"])
            for i, r in enumerate(rows):
                copy.write_row((r.time, r.sensor_id, r.raw_value, r.quantity, r.seq, i))
        else:
            copy.set_types(_TYPES)
            for r in rows:
                copy.write_row((r.time, r.sensor_id, r.raw_value, r.quantity, r.seq))


def insert_rejections(
    conn: Conn, rejections: Sequence[Rejection], received_at: datetime
) -> list[str]:
    """Keep refused messages with their reason, so nothing is dropped silently; one
    already kept (same key: redelivered, retained, resent) is not kept twice. Returns
    the reasons of the rows newly kept. Call inside a transaction."""
    if not rejections:
        return []
    conn.execute(_REJECTED_STAGING)
    with conn.cursor() as cur:
        with cur.copy(
            "COPY rejected_staging (topic, payload, reason, detail, sensor_id, dedupe_key)"
            " FROM STDIN"
        ) as copy:
            for r in rejections:
                copy.write_row(
                    (_text(r.topic), r.payload, r.reason.value, _text(r.detail), r.sensor_id, r.key)
                )
        kept = cur.execute(
            """
            INSERT INTO rejected_messages
                (received_at, topic, payload, reason, detail, sensor_id, dedupe_key)
            SELECT %s, topic, payload, reason, detail, sensor_id, dedupe_key
            FROM rejected_staging ORDER BY ord
            ON CONFLICT (dedupe_key) DO NOTHING
            RETURNING reason
            """,
            (received_at,),
        ).fetchall()
        cur.execute("TRUNCATE rejected_staging")
    return [str(row[0]) for row in kept]


def _text(value: str) -> str:
    """`value` as PostgreSQL text takes it: no NUL, no lone surrogate."""
    return value.encode("utf-8", "backslashreplace").decode("utf-8").replace("\0", "\\x00")


def touch_sensors(conn: Conn, latest: dict[str, Reading], received_at: datetime) -> None:
    """Record when each sensor was last heard from, its latest reading and battery.

    `latest` holds each sensor's newest reading in the batch.
    """
    if not latest:
        return
    conn.execute(
        """
        UPDATE sensors s
        SET last_seen = greatest(s.last_seen, %(received_at)s),
            last_reading_at = greatest(s.last_reading_at, v.ts),
            battery = CASE WHEN v.battery IS NOT NULL
                            AND (s.last_reading_at IS NULL OR v.ts >= s.last_reading_at)
                           THEN v.battery ELSE s.battery END,
            status = CASE WHEN s.status = 'unknown' THEN 'online' ELSE s.status END
        FROM unnest(%(ids)s::text[], %(ts)s::timestamptz[], %(battery)s::float8[])
             AS v(id, ts, battery)
        WHERE s.id = v.id
        """,
        {
            "received_at": received_at,
            "ids": list(latest),
            "ts": [r.time for r in latest.values()],
            "battery": [r.battery for r in latest.values()],
        },
    )


def set_status(conn: Conn, changes: Sequence[StatusChange], received_at: datetime) -> None:
    """Apply online/offline announcements (LWT) in arrival order."""
    for change in changes:
        conn.execute(
            """
            UPDATE sensors
            SET status = %s, status_changed_at = %s, last_seen = greatest(last_seen, %s)
            WHERE id = %s
            """,
            ("online" if change.online else "offline", received_at, received_at, change.sensor_id),
        )


def pending_rejections(
    conn: Conn, *, reason: str | None, sensor_id: str | None, after_id: int, limit: int
) -> list[tuple[int, str, bytes, str]]:
    """Kept messages not yet replayed, after `after_id`: (id, topic, payload, reason)."""
    rows = conn.execute(
        """
        SELECT id, topic, payload, reason FROM rejected_messages
        WHERE replayed_at IS NULL AND id > %(after)s
          AND (%(reason)s::text IS NULL OR reason = %(reason)s)
          AND (%(sensor)s::text IS NULL OR sensor_id = %(sensor)s)
        ORDER BY id
        LIMIT %(limit)s
        """,
        {"reason": reason, "sensor": sensor_id, "after": after_id, "limit": limit},
    ).fetchall()
    return [(int(r[0]), str(r[1]), bytes(r[2]), str(r[3])) for r in rows]  # type: ignore[call-overload, arg-type]


def mark_replayed(conn: Conn, ids: Sequence[int], replayed_at: datetime) -> None:
    conn.execute(
        "UPDATE rejected_messages SET replayed_at = %s WHERE id = ANY(%s)", (replayed_at, list(ids))
    )


def rejection_counts(conn: Conn) -> list[tuple[str, int, int]]:
    """(reason, pending, replayed) for each reason seen."""
    rows = conn.execute(
        """
        SELECT reason, count(*) FILTER (WHERE replayed_at IS NULL),
               count(*) FILTER (WHERE replayed_at IS NOT NULL)
        FROM rejected_messages GROUP BY reason ORDER BY reason
        """
    ).fetchall()
    return [(str(r[0]), int(r[1]), int(r[2])) for r in rows]  # type: ignore[call-overload]
