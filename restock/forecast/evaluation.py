"""Backtest metrics from observed levels alone, for `restock backtest`.

Without ground truth, the last `holdout_hours` of each series are held out. Each model
forecasts them from the data before the cutoff, and is scored on:

- stockout-time error for *virtual stock*: had the stock at the cutoff been a quarter,
  half or three quarters of what was really consumed in the holdout, when would it
  have run out (actual cumulative consumption) against the forecast P50, and did the
  P10–P90 interval contain it;
- RMSSE of hourly consumption (scaled by the in-sample one-step naive error);
- milliseconds per series.
"""

from __future__ import annotations

import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from functools import partial

import numpy as np

from restock.forecast.consumption import to_consumption
from restock.forecast.depletion import depletion
from restock.forecast.errors import ForecastError
from restock.forecast.pipeline import ForecastConfig, LevelSeries, history_of, predict

SHARES = (0.25, 0.5, 0.75)


@dataclass(frozen=True, slots=True, kw_only=True)
class Scores:
    """Backtest figures of one model over many series (NaN where nothing was scored)."""

    model: str
    series: int
    stockout_mae_h: float
    stockout_median_h: float
    late_12h_share: float
    coverage_p10_p90: float
    rmsse: float
    ms_per_series: float
    chosen: dict[str, int]


@dataclass(frozen=True, slots=True, kw_only=True)
class SeriesScore:
    """One series' raw backtest figures (combined into Scores)."""

    model: str
    errors: tuple[float, ...]
    covered: tuple[bool, ...]
    rmsse: float | None
    ms: float


def holdout_scores(
    series: list[LevelSeries],
    *,
    model: str | None,
    as_of: int | None = None,
    holdout_hours: int = 7 * 24,
    config: ForecastConfig | None = None,
    workers: int = 1,
) -> Scores:
    """Score `model` (None: restock's per-series selection) on the series' last hours.

    workers > 1 spreads the series over a process pool; ms_per_series is compute time
    per series either way.
    """
    cfg = replace(config or ForecastConfig(), model=model)
    job = partial(score_series, config=cfg, as_of=as_of, holdout_hours=holdout_hours)
    if workers > 1 and len(series) > 64:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(job, series, chunksize=32))
    else:
        results = [job(s) for s in series]
    done = [r for r in results if r is not None]
    e = np.asarray([x for r in done for x in r.errors])
    covered = [x for r in done for x in r.covered]
    rmsse = [r.rmsse for r in done if r.rmsse is not None]
    chosen: dict[str, int] = {}
    for r in done:
        chosen[r.model] = chosen.get(r.model, 0) + 1
    nan = float("nan")
    return Scores(
        model=model or "restock",
        series=len(done),
        stockout_mae_h=float(np.mean(np.abs(e))) if len(e) else nan,
        stockout_median_h=float(np.median(np.abs(e))) if len(e) else nan,
        late_12h_share=float(np.mean(e > 12.0)) if len(e) else nan,
        coverage_p10_p90=float(np.mean(covered)) if covered else nan,
        rmsse=float(np.mean(rmsse)) if rmsse else nan,
        ms_per_series=sum(r.ms for r in done) / max(len(done), 1),
        chosen=chosen,
    )


def score_series(
    s: LevelSeries, *, config: ForecastConfig, as_of: int | None, holdout_hours: int
) -> SeriesScore | None:
    """Backtest one series on its last `holdout_hours`; None if it has too little data."""
    started = time.perf_counter()
    end = int(s.times.max()) if as_of is None else as_of
    try:
        cons = to_consumption(
            s.times, s.levels, end=end, time_zone=s.time_zone, config=config.cleaning
        )
    except ForecastError:
        return None
    h = holdout_hours * 3600 // cons.step
    cut = cons.n - h
    if np.sum(~np.isnan(cons.consumption[:cut])) < 48:
        return None
    pred = predict(history_of(cons, cut), h, config, series_id=s.series_id)
    actual = cons.consumption[cut:]
    actual = np.where(np.isnan(actual), pred.expected, actual)
    cum_a, cum_p = np.cumsum(actual), np.cumsum(pred.expected)
    scale = np.nanmean(np.diff(cons.consumption[:cut]) ** 2)
    rmsse = None
    if np.isfinite(scale) and scale > 0:
        rmsse = float(np.sqrt(np.mean((pred.expected - actual) ** 2) / scale))
    errors: list[float] = []
    covered: list[bool] = []
    for share in SHARES:
        stock = share * float(cum_a[-1])
        if stock <= 0:
            continue
        true_h = float(np.argmax(cum_a >= stock) + 1)
        dist = depletion(stock, cum_p, pred.errors, eps=pred.eps)
        p10, p50, p90 = (dist.quantile(q) for q in (0.1, 0.5, 0.9))
        errors.append((h if p50 is None else p50) - true_h)
        covered.append((p10 is not None and p10 <= true_h) and (p90 is None or true_h <= p90))
    return SeriesScore(
        model=pred.model,
        errors=tuple(errors),
        covered=tuple(covered),
        rmsse=rmsse,
        ms=(time.perf_counter() - started) * 1000.0,
    )
