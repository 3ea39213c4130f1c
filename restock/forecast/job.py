"""The forecast job: every stock point as of a time, in parallel, restartable.

The main process lists the stock points still to do at `as_of`, records a run, and
hands chunks to a process pool. Each worker loads its chunk's readings (one row per
stock point, arrays in PostgreSQL's binary format read by numpy), forecasts, and
commits the chunk's rows: a crash loses at most the chunks in flight, and running the
job again for the same `as_of` does only what is missing. Scaling past one machine
means handing the same chunks to an existing engine (e.g. Dask), not a new one.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import psycopg
from tqdm import tqdm

from restock.forecast import queries
from restock.forecast.batch import default_workers
from restock.forecast.errors import ForecastError
from restock.forecast.pipeline import ForecastConfig, LevelSeries, SeriesForecast, forecast_series
from restock.forecast.stored import StoredForecast
from restock.forecast.timegrid import FloatArray, IntArray, from_epoch, to_epoch

log = logging.getLogger(__name__)

CHUNK = 250
CDF_STEP_HOURS = 2


@dataclass(frozen=True, slots=True, kw_only=True)
class JobSummary:
    """What a job run did."""

    run_id: int
    as_of: datetime
    forecast: int
    skipped: int
    failed: int
    seconds: float


def run_forecast_job(
    database_url: str,
    *,
    as_of: int | datetime,
    config: ForecastConfig | None = None,
    workers: int | None = None,
    redo: bool = False,
    progress: bool = False,
    chunk_size: int = CHUNK,
) -> JobSummary:
    """Forecast every stock point with an enabled sensor as of `as_of` into `forecasts`.

    Stock points already forecast at `as_of` are skipped unless `redo`. Stock points
    that cannot be forecast are recorded in `forecast_failures`.
    """
    started = time.perf_counter()
    cfg = config or ForecastConfig()
    when = as_of if isinstance(as_of, datetime) else from_epoch(as_of)
    with psycopg.connect(database_url, autocommit=True) as conn:
        todo = queries.stock_points_to_forecast(conn, when, redo=redo)
        skipped = 0 if redo else queries.count_stock_points_done(conn, when)
        run_id = queries.start_run(conn, when, cfg.horizon_hours, _settings(cfg))
        log.info(
            "forecast run %s as of %s: %s stock points (%s already done)",
            run_id,
            when.isoformat(),
            len(todo),
            skipped,
        )
        chunks = [todo[i : i + chunk_size] for i in range(0, len(todo), chunk_size)]
        done, failed = 0, 0
        bar = tqdm(total=len(todo), unit="stock point", disable=not progress, leave=False)
        n_workers = min(workers or default_workers(), max(len(chunks), 1))
        try:
            if n_workers <= 1:
                for chunk in chunks:
                    ok, bad = forecast_chunk(database_url, run_id, when, chunk, cfg)
                    done, failed = done + ok, failed + bad
                    bar.update(ok + bad)
            else:
                with ProcessPoolExecutor(max_workers=n_workers) as pool:
                    futures = [
                        pool.submit(forecast_chunk, database_url, run_id, when, c, cfg)
                        for c in chunks
                    ]
                    for fut in futures:
                        ok, bad = fut.result()
                        done, failed = done + ok, failed + bad
                        bar.update(ok + bad)
        finally:
            bar.close()
            queries.finish_run(conn, run_id, forecast=done, failed=failed)
    seconds = time.perf_counter() - started
    log.info("forecast run %s: %s forecast, %s failed in %.1f s", run_id, done, failed, seconds)
    return JobSummary(
        run_id=run_id, as_of=when, forecast=done, skipped=skipped, failed=failed, seconds=seconds
    )


def forecast_chunk(
    database_url: str,
    run_id: int,
    as_of: datetime,
    chunk: list[queries.StockPointInfo],
    config: ForecastConfig,
) -> tuple[int, int]:
    """Load, forecast and commit one chunk of stock points; returns (forecast, failed)."""
    since = as_of - timedelta(hours=config.cleaning.history_hours)
    rows: list[tuple[Any, ...]] = []
    failures: list[tuple[int, str]] = []
    # autocommit: no transaction idles while we compute; no JIT: the per-sensor plan's
    # cost estimate triggers a compilation slower than the query itself
    with psycopg.connect(database_url, autocommit=True, options="-c jit=off") as conn:
        readings = queries.readings_for(conn, [c.id for c in chunk], since, as_of)
        none: tuple[IntArray, FloatArray] = (np.zeros(0, np.int64), np.zeros(0))
        for info in chunk:
            times, levels = readings.get(info.id, none)
            series = LevelSeries(
                series_id=str(info.id), times=times, levels=levels, time_zone=info.time_zone
            )
            try:
                f = forecast_series(series, as_of=to_epoch(as_of), config=config)
            except (ForecastError, ValueError) as exc:  # ValueError: e.g. a bad time zone
                log.warning("stock point %s not forecast: %s", info.id, exc)
                failures.append((info.id, str(exc)))
                continue
            rows.append(forecast_row(f, info, run_id, config))
        with conn.transaction():
            queries.save_forecasts(conn, rows)
            queries.save_failures(conn, run_id, failures)
    return len(rows), len(failures)


def forecast_row(
    f: SeriesForecast, info: queries.StockPointInfo, run_id: int, config: ForecastConfig
) -> tuple[Any, ...]:
    """A forecasts row (queries.UPSERT_FORECAST order) for one series' forecast."""
    every = max(round(CDF_STEP_HOURS / f.depletion.step_hours), 1)
    cdf = [round(float(x), 5) for x in f.depletion.cdf[::every]]
    lead = f.p_stockout_before(f.as_of + timedelta(hours=info.lead_time_hours))
    visit = (
        f.p_stockout_before(f.as_of + timedelta(days=info.visit_cadence_days))
        if info.visit_cadence_days
        else None
    )
    return (
        info.id,
        f.as_of,
        run_id,
        f.model,
        f.level,
        f.rate_per_hour,
        f.stockout_p10,
        f.stockout_p50,
        f.stockout_p90,
        lead,
        visit,
        config.horizon_hours,
        cdf,
        every * f.depletion.step_hours,
        f.history_start,
        f.history_end,
    )


def load_forecasts(database_url: str, as_of: datetime) -> list[StoredForecast]:
    """Per stock point, its newest forecast made at or before `as_of`."""
    with psycopg.connect(database_url) as conn:
        return read_forecasts(conn, as_of)


def read_forecasts(conn: queries.Conn, as_of: datetime) -> list[StoredForecast]:
    """load_forecasts on a connection the caller owns (e.g. from its pool)."""
    return queries.latest_forecasts(conn, as_of)


def _settings(config: ForecastConfig) -> dict[str, Any]:
    out = asdict(config)
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in out.items()}
