"""Every SQL statement the forecast job runs, one named function each."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import psycopg
from psycopg.rows import class_row
from psycopg.types.json import Jsonb

from restock.forecast.stored import StoredForecast
from restock.forecast.timegrid import FloatArray, IntArray

Conn = psycopg.Connection[Any]

_PG_EPOCH_US = 946_684_800 * 1_000_000  # 2000-01-01 in Unix microseconds


@dataclass(frozen=True, slots=True, kw_only=True)
class StockPointInfo:
    """What the job needs to know about a stock point besides its readings."""

    id: int
    time_zone: str
    lead_time_hours: float
    visit_cadence_days: int | None


def stock_points_to_forecast(conn: Conn, as_of: datetime, *, redo: bool) -> list[StockPointInfo]:
    """Stock points with an enabled sensor, minus those already forecast at as_of (unless redo)."""
    rows = conn.execute(
        """
        SELECT sp.id, c.time_zone, p.lead_time_hours, c.visit_cadence_days
        FROM stock_points sp
        JOIN customers c ON c.id = sp.customer_id
        JOIN products p ON p.id = sp.product_id
        WHERE EXISTS (SELECT 1 FROM sensors s WHERE s.stock_point_id = sp.id AND s.enabled)
          AND (%(redo)s OR NOT EXISTS (
                SELECT 1 FROM forecasts f WHERE f.stock_point_id = sp.id AND f.as_of = %(as_of)s))
        ORDER BY sp.id
        """,
        {"as_of": as_of, "redo": redo},
    ).fetchall()
    return [
        StockPointInfo(id=r[0], time_zone=r[1], lead_time_hours=r[2], visit_cadence_days=r[3])
        for r in rows
    ]


def count_stock_points_done(conn: Conn, as_of: datetime) -> int:
    """How many stock points already have a forecast at as_of."""
    row = conn.execute("SELECT count(*) FROM forecasts WHERE as_of = %s", (as_of,)).fetchone()
    return int(row[0]) if row else 0


def start_run(conn: Conn, as_of: datetime, horizon_hours: int, settings: dict[str, Any]) -> int:
    """Record a new run; returns its id."""
    row = conn.execute(
        "INSERT INTO forecast_runs (as_of, horizon_hours, settings) VALUES (%s, %s, %s) "
        "RETURNING id",
        (as_of, horizon_hours, Jsonb(settings)),
    ).fetchone()
    assert row is not None
    return int(row[0])


def finish_run(conn: Conn, run_id: int, *, forecast: int, failed: int) -> None:
    """Mark a run finished with its counts."""
    conn.execute(
        "UPDATE forecast_runs SET finished_at = clock_timestamp(), forecast = %s, failed = %s "
        "WHERE id = %s",
        (forecast, failed, run_id),
    )


def readings_for(
    conn: Conn, stock_point_ids: list[int], since: datetime, until: datetime
) -> dict[int, tuple[IntArray, FloatArray]]:
    """Per stock point, (epoch seconds, quantity) of its enabled sensors' readings in
    (since, until], unordered.

    One row per stock point whose arrays travel in PostgreSQL's binary array format
    and are read by numpy: no Python object per reading.
    """
    rows = conn.execute(
        """
        SELECT s.stock_point_id, array_send(array_agg(r.time)), array_send(array_agg(r.quantity))
        FROM sensors s
        CROSS JOIN LATERAL (
            -- per sensor: an index range scan whatever the table statistics say
            -- (OFFSET 0 keeps the planner from flattening this into a hash join)
            SELECT time, quantity FROM readings
            WHERE sensor_id = s.id AND time > %s AND time <= %s
            OFFSET 0
        ) r
        WHERE s.stock_point_id = ANY(%s) AND s.enabled
        GROUP BY s.stock_point_id
        """,
        (since, until, stock_point_ids),
        binary=True,  # bytea as raw bytes, not hex text
    ).fetchall()
    out: dict[int, tuple[IntArray, FloatArray]] = {}
    for sp, times, quantities in rows:
        us = _binary_array(times, ">i8").astype(np.int64)
        out[int(sp)] = ((us + _PG_EPOCH_US) // 1_000_000, _binary_array(quantities, ">f8"))
    return out


def _binary_array(data: bytes, element: str) -> np.ndarray:
    """Elements of a one-dimensional, NULL-free array in PostgreSQL's binary format."""
    # header: ndim, has-nulls flag, element type oid, length, lower bound (int32 each)
    items = np.frombuffer(data, dtype=[("len", ">i4"), ("v", element)], offset=20)
    return np.asarray(items["v"].astype(element.replace(">", "=")))


UPSERT_FORECAST = """
INSERT INTO forecasts (
    stock_point_id, as_of, run_id, model, level, rate_per_hour,
    stockout_p10, stockout_p50, stockout_p90, p_stockout_lead_time, p_stockout_next_visit,
    horizon_hours, stockout_cdf, cdf_step_hours, history_start, history_end)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
ON CONFLICT (stock_point_id, as_of) DO UPDATE SET
    run_id = EXCLUDED.run_id, model = EXCLUDED.model, level = EXCLUDED.level,
    rate_per_hour = EXCLUDED.rate_per_hour, stockout_p10 = EXCLUDED.stockout_p10,
    stockout_p50 = EXCLUDED.stockout_p50, stockout_p90 = EXCLUDED.stockout_p90,
    p_stockout_lead_time = EXCLUDED.p_stockout_lead_time,
    p_stockout_next_visit = EXCLUDED.p_stockout_next_visit,
    horizon_hours = EXCLUDED.horizon_hours, stockout_cdf = EXCLUDED.stockout_cdf,
    cdf_step_hours = EXCLUDED.cdf_step_hours, history_start = EXCLUDED.history_start,
    history_end = EXCLUDED.history_end, created_at = now()
"""


def save_forecasts(conn: Conn, rows: list[tuple[Any, ...]]) -> None:
    """Upsert forecast rows (UPSERT_FORECAST's column order)."""
    if rows:
        with conn.cursor() as cur:
            cur.executemany(UPSERT_FORECAST, rows)


def save_failures(conn: Conn, run_id: int, failures: list[tuple[int, str]]) -> None:
    """Record stock points this run could not forecast."""
    if failures:
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO forecast_failures (run_id, stock_point_id, reason) VALUES (%s, %s, %s)"
                " ON CONFLICT (run_id, stock_point_id) DO UPDATE SET reason = EXCLUDED.reason",
                [(run_id, sp, reason) for sp, reason in failures],
            )


def latest_forecasts(
    conn: Conn,
    as_of: datetime,
    *,
    max_age_hours: float | None = None,
    stock_point_ids: Sequence[int] | None = None,
) -> list[StoredForecast]:
    """Per stock point (all, or those of `stock_point_ids`), its newest forecast made at
    or before `as_of` and, with `max_age_hours`, no older than that: the contract
    between forecasting and replenishment."""
    with conn.cursor(row_factory=class_row(StoredForecast)) as cur:
        return cur.execute(
            """
            SELECT DISTINCT ON (stock_point_id)
                   stock_point_id, as_of, model, level, rate_per_hour, stockout_p10,
                   stockout_p50, stockout_p90, p_stockout_lead_time, p_stockout_next_visit,
                   stockout_cdf, cdf_step_hours, history_start, history_end, run_id
            FROM forecasts
            WHERE as_of <= %(as_of)s
              AND (%(max_age)s::float8 IS NULL
                   OR as_of > %(as_of)s - %(max_age)s * interval '1 hour')
              AND (%(ids)s::bigint[] IS NULL OR stock_point_id = ANY(%(ids)s))
            ORDER BY stock_point_id, as_of DESC
            """,
            {
                "as_of": as_of,
                "max_age": max_age_hours,
                "ids": None if stock_point_ids is None else list(stock_point_ids),
            },
        ).fetchall()
