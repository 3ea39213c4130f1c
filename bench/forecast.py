"""Forecast accuracy and speed on simulator data with ground truth.

Runs restock's forecaster and three baselines side by side in one run — Prophet alone,
statsmodels Holt-Winters alone, seasonal naive — on the same cleaned consumption, and
prints per method:

- stockout-time error of the P50 in hours (MAE, median, share more than 12 h late),
  over stock points that run out within the horizon (truth or forecast; both capped
  at the horizon),
- coverage of the P10–P90 interval (target 80 %),
- RMSSE of hourly consumption over the next week against true demand,
- milliseconds per series (one process, selection and backtests included),

then the seconds the forecast job takes for 10,000 stock points with 60 days of hourly
history. The last line is JSON. `--quick` runs in about a minute: fewer series for the
slow baselines and a smaller job extrapolated to 10,000 (say so in what it prints).

Usage: python bench/forecast.py [--quick] [--scenario food_wholesale] [--seed 1]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd

from restock.forecast.batch import SeriesFailure, forecast_many
from restock.forecast.frames import series_from_frame
from restock.forecast.pipeline import ForecastConfig, LevelSeries, SeriesForecast

HISTORY_DAYS = 60
HORIZON_H = 28 * 24
START = datetime(2026, 9, 1, tzinfo=UTC)


@dataclass
class Truth:
    """Per series (rows) and hour after as_of (columns): what really happened."""

    ids: list[str]
    level: np.ndarray  # true level at as_of
    stockout_h: np.ndarray  # hours until true stockout (inf beyond the horizon)
    demand_next: np.ndarray  # (series, HORIZON_H) demand after as_of
    scale: np.ndarray  # RMSSE scale: mean squared one-step change of past demand
    oracle_h: np.ndarray  # stockout predicted from the true level and true past demand


def load(scenario: str, days: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    try:
        from restock.simulators.export import simulate_levels
    except ImportError:  # simulators not there: the small generator in restock.forecast
        from restock.forecast.synthetic import simulate_levels as synth

        observed, truth = synth(n_series=600, days=days, seed=seed, start=START)
        return observed, truth, "restock.forecast.synthetic"
    observed, truth = simulate_levels(scenario, days=days, seed=seed, start=START)
    return observed, truth, f"restock.simulators scenario {scenario!r}"


def truth_at(truth: pd.DataFrame, ids: list[str], as_of: datetime) -> Truth:
    level = truth.pivot(index="series_id", columns="time", values="true_level").reindex(ids)
    demand = truth.pivot(index="series_id", columns="time", values="demand").reindex(ids)
    cols = demand.columns
    i0 = int(np.flatnonzero(cols == pd.Timestamp(as_of))[0])
    lvl = level.to_numpy()[:, i0]
    d = demand.to_numpy()
    nxt = d[:, i0 : i0 + HORIZON_H]
    rem = lvl[:, None] - np.cumsum(nxt, axis=1)
    out = np.full(len(ids), np.inf)
    for j in range(len(ids)):
        hit = np.flatnonzero(rem[j] <= 0)
        if len(hit):
            k = int(hit[0])
            before = lvl[j] - (np.sum(nxt[j, :k]) if k else 0.0)
            out[j] = k + (before / nxt[j, k] if nxt[j, k] > 0 else 1.0)  # within the hour
    past = d[:, max(i0 - HISTORY_DAYS * 24, 0) : i0]
    scale = np.mean(np.diff(past, axis=1) ** 2, axis=1)
    # a reference no forecaster can beat by much: the true level at as_of and the mean
    # true demand per hour-of-week over the last six weeks, before any sensor noise
    weeks = past[:, -6 * 168 :].reshape(len(ids), -1, 168).mean(axis=1)
    path = np.cumsum(np.tile(weeks, (1, HORIZON_H // 168)), axis=1)
    crossed = path >= lvl[:, None]
    oracle = np.where(crossed.any(axis=1), crossed.argmax(axis=1) + 1.0, np.inf)
    return Truth(ids=ids, level=lvl, stockout_h=out, demand_next=nxt, scale=scale, oracle_h=oracle)


def oracle_mae(truth: Truth) -> float:
    """Stockout MAE of the oracle over the stock points `metrics` scores."""
    true_h = np.minimum(truth.stockout_h, HORIZON_H)
    pred = np.minimum(truth.oracle_h, HORIZON_H)
    scored = (truth.level > 0) & ((true_h < HORIZON_H) | (pred < HORIZON_H))
    return float(np.mean(np.abs(pred - true_h)[scored]))


def hours_after(when: datetime | None, as_of: datetime) -> float:
    return np.inf if when is None else (when - as_of).total_seconds() / 3600.0


def metrics(
    results: list[SeriesForecast | SeriesFailure], truth: Truth, as_of: datetime, ms: float
) -> dict[str, float]:
    index = {sid: j for j, sid in enumerate(truth.ids)}
    err, cover, rmsse = [], [], []
    for r in results:
        if isinstance(r, SeriesFailure):
            continue
        j = index[r.series_id]
        if truth.level[j] <= 0:
            continue  # already out: nothing to predict
        true_h = min(truth.stockout_h[j], HORIZON_H)
        p10, p50, p90 = (
            hours_after(x, as_of) for x in (r.stockout_p10, r.stockout_p50, r.stockout_p90)
        )
        p50 = min(p50, HORIZON_H)
        if true_h < HORIZON_H or p50 < HORIZON_H:
            err.append(p50 - true_h)
            cover.append(p10 <= truth.stockout_h[j] <= p90)
        if truth.scale[j] > 0:
            y = truth.demand_next[j, :168]
            rmsse.append(np.sqrt(np.mean((r.expected[:168] - y) ** 2) / truth.scale[j]))
    e = np.asarray(err)
    return {
        "stockout_mae_h": round(float(np.mean(np.abs(e))), 2),
        "stockout_median_h": round(float(np.median(np.abs(e))), 2),
        "late_12h_share": round(float(np.mean(e > 12.0)), 3),
        "coverage_p10_p90": round(float(np.mean(cover)), 3),
        "rmsse": round(float(np.mean(rmsse)), 3),
        "ms_per_series": round(ms, 3),
        "n": len(e),
    }


def run_method(
    series: list[LevelSeries], as_of: datetime, config: ForecastConfig
) -> tuple[list[SeriesForecast | SeriesFailure], float]:
    t = time.perf_counter()
    out = forecast_many(series, as_of=int(as_of.timestamp()), config=config, workers=1)
    return out, (time.perf_counter() - t) * 1000.0 / max(len(series), 1)


def job_seconds(n_points: int, seed: int) -> float:
    """Seconds `run_forecast_job` takes for n_points stock points with HISTORY_DAYS of
    hourly readings in a scratch PostgreSQL database (created, seeded, dropped here)."""
    import uuid

    import psycopg

    from restock.core.db import drop_database, ensure_database, with_database
    from restock.core.migrate import migrate
    from restock.core.settings import Settings
    from restock.forecast.job import run_forecast_job
    from restock.forecast.synthetic import simulate_levels as synth

    url = with_database(Settings().database_url, f"restock_bench_{uuid.uuid4().hex[:8]}")
    ensure_database(url)
    try:
        migrate(url)
        t = time.perf_counter()
        with psycopg.connect(url, autocommit=True) as db:
            seed_points(db, n_points)
            for first in range(0, n_points, 1000):
                n = min(1000, n_points - first)
                observed, _ = synth(
                    n_series=n,
                    days=HISTORY_DAYS,
                    seed=seed + first,
                    start=START,
                    spikes=0.001,
                    gaps=0.01,
                )
                observed = observed.drop_duplicates(["series_id", "time"])
                copy_readings(db, observed, first)
            db.execute("VACUUM ANALYZE readings")  # as autovacuum would have by now
        print(
            f"job: seeded {n_points} stock points, {HISTORY_DAYS} days hourly "
            f"({time.perf_counter() - t:.1f} s)",
            flush=True,
        )
        as_of = START + timedelta(days=HISTORY_DAYS)
        summary = run_forecast_job(url, as_of=as_of)
        print(
            f"job: {summary.forecast} forecast, {summary.failed} failed, {summary.seconds:.1f} s",
            flush=True,
        )
        return summary.seconds
    finally:
        drop_database(url)


def seed_points(db, n: int) -> None:
    db.execute("INSERT INTO reps (id, name, depot_lat, depot_lon) VALUES ('r', 'R', 35.6, 139.7)")
    db.execute("INSERT INTO products (id, name) VALUES ('p', 'P')")
    with db.cursor() as cur:
        with cur.copy("COPY customers (id, name, segment, rep_id, lat, lon) FROM STDIN") as cp:
            for i in range(n):
                cp.write_row((f"c{i:06d}", f"C{i}", "B", "r", 35.6, 139.7))
        with cur.copy("COPY stock_points (id, customer_id, product_id, capacity) FROM STDIN") as cp:
            for i in range(n):
                cp.write_row((i + 1, f"c{i:06d}", "p", 500.0))
        with cur.copy("COPY sensors (id, stock_point_id, kind, unit) FROM STDIN") as cp:
            for i in range(n):
                cp.write_row((f"b{i:07d}", i + 1, "shelf_count", "count"))


def copy_readings(db, observed: pd.DataFrame, first: int) -> None:
    """Binary COPY built with numpy: fixed-width rows (sensor ids are 8 characters)."""
    row = np.dtype(
        [
            ("n", ">i2"),
            ("l1", ">i4"),
            ("t", ">i8"),
            ("l2", ">i4"),
            ("s", "S8"),
            ("l3", ">i4"),
            ("raw", ">f8"),
            ("l4", ">i4"),
            ("q", ">f8"),
        ]
    )
    codes = observed["series_id"].str.slice(1).astype(int).to_numpy() + first
    rows = np.zeros(len(observed), dtype=row)
    rows["n"], rows["l1"], rows["l2"], rows["l3"], rows["l4"] = 4, 8, 8, 8, 8
    us = observed["time"].dt.as_unit("us").astype("int64").to_numpy()
    rows["t"] = us - 946_684_800 * 1_000_000
    rows["s"] = np.char.add("b", np.char.zfill(codes.astype(str), 7)).astype("S8")
    rows["raw"] = rows["q"] = observed["level"].to_numpy()
    header = b"PGCOPY\n\xff\r\n\x00" + b"\x00" * 8
    with (
        db.cursor() as cur,
        cur.copy(
            "COPY readings (time, sensor_id, raw_value, quantity) FROM STDIN (FORMAT binary)"
        ) as cp,
    ):
        cp.write(header + rows.tobytes() + b"\xff\xff")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--scenario", default="food_wholesale")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    origins = [0] if args.quick else [0, 3, 6]
    days = HISTORY_DAYS + max(origins) + 28 + 1
    t0 = time.perf_counter()
    observed, truth, source = load(args.scenario, days, args.seed)
    print(
        f"data: {source}, {observed.series_id.nunique()} series, {days} days, "
        f"{len(observed)} readings ({time.perf_counter() - t0:.1f} s)"
    )
    slow_n = 150 if args.quick else 400
    prophet_n = 40 if args.quick else 150
    methods = {
        "restock": (ForecastConfig(), None),
        "holt_winters": (ForecastConfig(model="holt_winters"), slow_n),
        "seasonal_naive": (ForecastConfig(model="seasonal_naive"), None),
        "prophet": (ForecastConfig(model="prophet"), prophet_n),
    }
    all_results: dict[str, list[dict[str, float]]] = {m: [] for m in methods}
    subset_restock: dict[str, list[dict[str, float]]] = {m: [] for m in methods}
    for shift in origins:
        as_of = START + timedelta(days=HISTORY_DAYS + shift)
        obs = observed[observed["time"] <= as_of]
        series = series_from_frame(obs)
        tr = truth_at(truth, [s.series_id for s in series], as_of)
        print(
            f"as_of {as_of:%Y-%m-%d} oracle (true level, true past demand): stockout MAE "
            f"{oracle_mae(tr):.2f} h — the noise floor of this data",
            flush=True,
        )
        restock_out: list[SeriesForecast | SeriesFailure] = []
        for name, (cfg, limit) in methods.items():
            chosen = series[:: max(len(series) // limit, 1)][:limit] if limit else series
            out, ms = run_method(chosen, as_of, cfg)
            if name == "restock":
                restock_out = out
            all_results[name].append(metrics(out, tr, as_of, ms))
            ids = {s.series_id for s in chosen}
            same = [r for r in restock_out if r.series_id in ids]
            subset_restock[name].append(metrics(same, tr, as_of, 0.0))
            print(
                f"as_of {as_of:%Y-%m-%d} {name:15s} {len(chosen):4d} series "
                f"{all_results[name][-1]}",
                flush=True,
            )
    summary = {
        m: {k: round(float(np.mean([r[k] for r in rs])), 3) for k in rs[0] if k != "n"}
        for m, rs in all_results.items()
    }
    for m in ("holt_winters", "prophet"):
        same = subset_restock[m]
        print(
            f"restock on {m}'s series: MAE "
            f"{np.mean([r['stockout_mae_h'] for r in same]):.2f} h vs {m} "
            f"{summary[m]['stockout_mae_h']:.2f} h"
        )
    speedup = summary["prophet"]["ms_per_series"] / max(summary["restock"]["ms_per_series"], 1e-9)
    print(f"restock is {speedup:.0f}x faster per series than Prophet")
    n_job = 1000 if args.quick else 10_000
    job = job_seconds(n_job, args.seed) * 10_000 / n_job
    note = " (extrapolated from 1,000 in --quick mode)" if args.quick else ""
    print(f"job: 10,000 stock points, {HISTORY_DAYS} days of hourly readings: {job:.1f} s{note}")
    print(json.dumps({"methods": summary, "job_10k_seconds": round(job, 1)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
