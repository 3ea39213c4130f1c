"""`restock forecast-file`, `restock backtest` and `restock forecast` (the database job)."""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from restock.forecast.batch import SeriesFailure, default_workers, forecast_many
from restock.forecast.consumption import CleaningConfig
from restock.forecast.csvio import read_levels, write_forecasts
from restock.forecast.errors import ForecastError
from restock.forecast.evaluation import holdout_scores
from restock.forecast.frames import series_from_frame
from restock.forecast.models import MODELS
from restock.forecast.pipeline import ForecastConfig, SeriesForecast
from restock.forecast.selection import SelectionConfig
from restock.forecast.timegrid import to_epoch

PROGRESS_ABOVE = 200  # series: show a progress bar on runs longer than this
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([hdw]?)\s*$")


def register(subparsers: Any) -> None:
    cmd = subparsers.add_parser(
        "forecast-file",
        help="forecast stockout times from a series_id,time,level CSV",
        description="Forecast every series of LEVELS.csv (series_id,time,level; ISO 8601 "
        "times; rows in any order) and write series_id,as_of,model,level,rate_per_hour,"
        "stockout_p10,stockout_p50,stockout_p90.",
    )
    cmd.add_argument("levels", type=Path, metavar="LEVELS.csv")
    _common(cmd)
    cmd.add_argument("--horizon", default="28d", help="how far ahead, e.g. 28d, 72h, 4w")
    cmd.add_argument("-o", "--output", default="-", help="output CSV (default stdout)")
    cmd.add_argument("--workers", type=int, default=None, help="processes (default: cores)")
    cmd.set_defaults(func=run_forecast_file)

    cmd = subparsers.add_parser(
        "backtest",
        help="score restock and each model on the last days of a levels CSV",
        description="Hold out the last --holdout of every series and print, per model "
        "and for restock's own per-series choice, stockout-time error, P10-P90 coverage, "
        "RMSSE and ms per series.",
    )
    cmd.add_argument("levels", type=Path, metavar="LEVELS.csv")
    _common(cmd)
    cmd.add_argument("--holdout", default="7d", help="held-out span at the end (default 7d)")
    cmd.add_argument(
        "--models",
        default="ew_profile,ew_rate,seasonal_naive,sba,tsb,holt_winters",
        help="comma-separated models to score besides restock's selection "
        f"(known: {', '.join(MODELS)})",
    )
    cmd.add_argument("--workers", type=int, default=None, help="processes (default: cores)")
    cmd.set_defaults(func=run_backtest)

    cmd = subparsers.add_parser(
        "forecast", help="forecast every stock point in the database as of a time"
    )
    cmd.add_argument(
        "--as-of", required=True, help="ISO 8601 time with offset, e.g. 2026-11-22T09:00Z"
    )
    cmd.add_argument("--horizon", default="28d", help="how far ahead, e.g. 28d, 72h, 4w")
    cmd.add_argument("--workers", type=int, default=None, help="processes (default: cores)")
    cmd.add_argument(
        "--costly", default="", help="costly models selection may try, e.g. holt_winters"
    )
    cmd.add_argument("--redo", action="store_true", help="recompute stock points already done")
    cmd.add_argument(
        "--holidays",
        default="JP",
        help="country whose public holidays count as Sundays (default JP; 'none' for none)",
    )
    cmd.set_defaults(func=run_forecast_job)


def _common(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument(
        "--as-of", default=None, help="ISO 8601 time (default: each series' last reading)"
    )
    cmd.add_argument("--tz", default="Asia/Tokyo", help="customers' time zone (default Asia/Tokyo)")
    cmd.add_argument(
        "--model", default=None, help="force one model instead of per-series selection"
    )
    cmd.add_argument(
        "--costly", default="", help="costly models selection may try, e.g. holt_winters,prophet"
    )
    cmd.add_argument(
        "--holidays",
        default="JP",
        help="country whose public holidays count as Sundays (default JP; 'none' for none)",
    )


def parse_hours(text: str) -> int:
    """'28d' → 672, '36h' → 36, '2w' → 336, '12' → 12; raises ValueError otherwise."""
    m = _DURATION.match(text)
    if not m:
        raise ValueError(f"not a duration: {text!r} (use e.g. 28d, 72h, 4w)")
    factor = {"": 1, "h": 1, "d": 24, "w": 168}[m.group(2)]
    hours = round(float(m.group(1)) * factor)
    if hours <= 0:
        raise ValueError(f"duration must be positive: {text!r}")
    return hours


def parse_as_of(text: str | None) -> int | None:
    """Epoch seconds of an ISO 8601 time with an offset; raises ValueError without one."""
    if text is None:
        return None
    when = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    if when.tzinfo is None:
        raise ValueError(f"--as-of {text!r} needs a time zone offset, e.g. Z or +09:00")
    return to_epoch(when)


def _config(args: argparse.Namespace, horizon: str = "28d") -> ForecastConfig:
    model = getattr(args, "model", None)
    if model is not None and model not in MODELS:
        raise ValueError(f"unknown model {model!r}; known: {', '.join(MODELS)}")
    costly = tuple(m for m in args.costly.split(",") if m)
    for name in costly:
        if name not in MODELS:
            raise ValueError(f"unknown model {name!r}; known: {', '.join(MODELS)}")
    holidays = getattr(args, "holidays", "JP")
    return ForecastConfig(
        horizon_hours=parse_hours(horizon),
        cleaning=CleaningConfig(holidays=None if holidays.lower() == "none" else holidays),
        selection=SelectionConfig(costly=costly),
        model=model,
    )


def run_forecast_file(args: argparse.Namespace) -> int:
    try:
        config = _config(args, args.horizon)
        as_of = parse_as_of(args.as_of)
        series = series_from_frame(read_levels(args.levels), time_zone=args.tz)
    except (ForecastError, ValueError, OSError) as exc:
        print(f"error: {args.levels}: {exc}", file=sys.stderr)
        return 2
    results = forecast_many(
        series,
        as_of=as_of,
        config=config,
        workers=args.workers,
        progress=len(series) > PROGRESS_ABOVE,
    )
    done = [r for r in results if isinstance(r, SeriesForecast)]
    failed = [r for r in results if isinstance(r, SeriesFailure)]
    if args.output == "-":
        write_forecasts(done, sys.stdout)
    else:
        with open(args.output, "w", newline="", encoding="utf-8") as out:
            write_forecasts(done, out)
    for f in failed:
        print(f"warning: series {f.series_id} not forecast: {f.reason}", file=sys.stderr)
    print(f"forecast {len(done)} series, {len(failed)} skipped", file=sys.stderr)
    return 0 if done or not series else 1


def run_backtest(args: argparse.Namespace) -> int:
    try:
        config = _config(args)
        as_of = parse_as_of(args.as_of)
        holdout = parse_hours(args.holdout)
        models = [m for m in args.models.split(",") if m]
        for name in models:
            if name not in MODELS:
                raise ValueError(f"unknown model {name!r}; known: {', '.join(MODELS)}")
        series = series_from_frame(read_levels(args.levels), time_zone=args.tz)
    except (ForecastError, ValueError, OSError) as exc:
        print(f"error: {args.levels}: {exc}", file=sys.stderr)
        return 2
    print(f"{len(series)} series, last {holdout} h held out; stockout error of virtual stock")
    print(
        f"{'model':16s} {'series':>6s} {'MAE h':>7s} {'median h':>8s} {'late>12h':>8s} "
        f"{'P10-P90':>7s} {'RMSSE':>6s} {'ms/series':>9s}"
    )
    for name in [*models, None]:
        s = holdout_scores(
            series,
            model=name,
            as_of=as_of,
            holdout_hours=holdout,
            config=replace(config, model=None),
            workers=args.workers or default_workers(),
        )
        print(
            f"{s.model:16s} {s.series:6d} {s.stockout_mae_h:7.1f} {s.stockout_median_h:8.1f} "
            f"{s.late_12h_share:8.2f} {s.coverage_p10_p90:7.2f} {s.rmsse:6.2f} "
            f"{s.ms_per_series:9.2f}"
        )
        if name is None:
            picks = ", ".join(f"{m} {n}" for m, n in sorted(s.chosen.items(), key=lambda x: -x[1]))
            print(f"restock's choices: {picks}")
    return 0


def run_forecast_job(args: argparse.Namespace) -> int:
    from restock.core.settings import Settings
    from restock.forecast.job import run_forecast_job as job

    try:
        config = _config(args, args.horizon)
        as_of = parse_as_of(args.as_of)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    assert as_of is not None  # --as-of is required
    summary = job(
        Settings().database_url,
        as_of=as_of,
        config=config,
        workers=args.workers,
        redo=args.redo,
        progress=True,
    )
    print(
        f"run {summary.run_id}: {summary.forecast} stock points forecast, "
        f"{summary.skipped} already done, {summary.failed} failed "
        f"in {summary.seconds:.1f} s"
    )
    # failures are recorded in forecast_failures; only a run where nothing worked fails
    return 1 if summary.failed and not (summary.forecast or summary.skipped) else 0
