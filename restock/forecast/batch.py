"""Many series at once, over a process pool: the CPU-bound part of every forecast run.

Processes, not threads: the per-series work is numpy on small arrays, dominated by
Python overhead that holds the GIL. Work is sent in chunks so pickling stays cheap.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from itertools import islice

from tqdm import tqdm

from restock.forecast.errors import ForecastError
from restock.forecast.pipeline import ForecastConfig, LevelSeries, SeriesForecast, forecast_series

log = logging.getLogger(__name__)

CHUNK = 64


@dataclass(frozen=True, slots=True, kw_only=True)
class SeriesFailure:
    """A series that could not be forecast, and why."""

    series_id: str
    reason: str


Outcome = SeriesForecast | SeriesFailure


def forecast_one(series: LevelSeries, as_of: int | None, config: ForecastConfig) -> Outcome:
    """forecast_series, with a bad series turned into a SeriesFailure instead of raising."""
    try:
        return forecast_series(series, as_of=as_of, config=config)
    except (ForecastError, ValueError) as exc:  # ValueError: e.g. an unknown time zone
        log.warning("series %s not forecast: %s", series.series_id, exc)
        return SeriesFailure(series_id=series.series_id, reason=str(exc))


def _run_chunk(
    chunk: list[LevelSeries], as_of: int | None, config: ForecastConfig
) -> list[Outcome]:
    return [forecast_one(s, as_of, config) for s in chunk]


def _chunks(items: Sequence[LevelSeries], size: int) -> Iterator[list[LevelSeries]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def default_workers() -> int:
    """One worker per core this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def forecast_many(
    series: Sequence[LevelSeries],
    *,
    as_of: int | None = None,
    config: ForecastConfig | None = None,
    workers: int | None = None,
    progress: bool = False,
) -> list[Outcome]:
    """Forecast every series (in input order) as of `as_of` (None: each at its last reading).

    workers: processes to use (default: one per core; 1 runs in this process).
    progress: show a tqdm bar on stderr.
    """
    cfg = config or ForecastConfig()
    n_workers = workers or default_workers()
    bar = tqdm(total=len(series), unit="series", disable=not progress, leave=False)
    out: list[Outcome] = []
    try:
        if n_workers <= 1 or len(series) <= CHUNK:
            for s in series:
                out.append(forecast_one(s, as_of, cfg))
                bar.update(1)
            return out
        with ProcessPoolExecutor(max_workers=n_workers) as pool:
            futures = [pool.submit(_run_chunk, c, as_of, cfg) for c in _chunks(series, CHUNK)]
            for fut in futures:
                done = fut.result()
                out.extend(done)
                bar.update(len(done))
        return out
    finally:
        bar.close()
