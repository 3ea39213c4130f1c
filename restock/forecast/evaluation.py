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
from dataclasses import dataclass, replace

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


def holdout_scores(
    series: list[LevelSeries],
    *,
    model: str | None,
    as_of: int | None = None,
    holdout_hours: int = 7 * 24,
    config: ForecastConfig | None = None,
) -> Scores:
    """Score `model` (None: restock's per-series selection) on the series' last hours."""
    cfg = replace(config or ForecastConfig(), model=model)
    errors: list[float] = []
    covered: list[bool] = []
    rmsse: list[float] = []
    chosen: dict[str, int] = {}
    scored = 0
    started = time.perf_counter()
    for s in series:
        end = int(s.times.max()) if as_of is None else as_of
        try:
            cons = to_consumption(
                s.times, s.levels, end=end, time_zone=s.time_zone, config=cfg.cleaning
            )
        except ForecastError:
            continue
        h = holdout_hours * 3600 // cons.step
        cut = cons.n - h
        if np.sum(~np.isnan(cons.consumption[:cut])) < 48:
            continue
        pred = predict(history_of(cons, cut), h, cfg, series_id=s.series_id)
        chosen[pred.model] = chosen.get(pred.model, 0) + 1
        actual = cons.consumption[cut:]
        actual = np.where(np.isnan(actual), pred.expected, actual)
        cum_a, cum_p = np.cumsum(actual), np.cumsum(pred.expected)
        scored += 1
        past = cons.consumption[:cut]
        scale = np.nanmean(np.diff(past) ** 2)
        if np.isfinite(scale) and scale > 0:
            rmsse.append(float(np.sqrt(np.mean((pred.expected - actual) ** 2) / scale)))
        for share in SHARES:
            stock = share * float(cum_a[-1])
            if stock <= 0:
                continue
            true_h = float(np.argmax(cum_a >= stock) + 1)
            dist = depletion(stock, cum_p, pred.errors, eps=pred.eps)
            p10, p50, p90 = (dist.quantile(q) for q in (0.1, 0.5, 0.9))
            errors.append((h if p50 is None else p50) - true_h)
            covered.append((p10 is not None and p10 <= true_h) and (p90 is None or true_h <= p90))
    ms = (time.perf_counter() - started) * 1000.0 / max(len(series), 1)
    e = np.asarray(errors)
    nan = float("nan")
    return Scores(
        model=model or "restock",
        series=scored,
        stockout_mae_h=float(np.mean(np.abs(e))) if len(e) else nan,
        stockout_median_h=float(np.median(np.abs(e))) if len(e) else nan,
        late_12h_share=float(np.mean(e > 12.0)) if len(e) else nan,
        coverage_p10_p90=float(np.mean(covered)) if covered else nan,
        rmsse=float(np.mean(rmsse)) if rmsse else nan,
        ms_per_series=ms,
        chosen=chosen,
    )
