"""The forecast job against a real PostgreSQL: all stock points, idempotent, restartable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import psycopg
import pytest

from restock.cli.main import main
from restock.forecast.job import load_forecasts, run_forecast_job
from restock.forecast.pipeline import ForecastConfig
from restock.forecast.synthetic import simulate_levels

START = datetime(2026, 9, 1, tzinfo=UTC)
AS_OF = START + timedelta(days=30)
N = 6


def seed_world(db: psycopg.Connection[Any]) -> list[int]:
    """N stock points with sensors and 30 days of readings, plus one silent stock point."""
    db.execute(
        "INSERT INTO reps (id, name, depot_lat, depot_lon) VALUES ('rep-1', 'Sato', 35.68, 139.76)"
    )
    db.execute(
        "INSERT INTO customers (id, name, segment, rep_id, lat, lon, visit_cadence_days) "
        "VALUES ('cust-1', 'Ginza Market', 'A', 'rep-1', 35.67, 139.76, 7)"
    )
    ids = []
    for i in range(N + 1):
        db.execute(
            "INSERT INTO products (id, name, lead_time_hours) VALUES (%s, %s, 48)",
            (f"prod-{i}", f"Product {i}"),
        )
        row = db.execute(
            "INSERT INTO stock_points (customer_id, product_id, capacity) "
            "VALUES ('cust-1', %s, 500) RETURNING id",
            (f"prod-{i}",),
        ).fetchone()
        assert row is not None
        ids.append(int(row[0]))
        db.execute(
            "INSERT INTO sensors (id, stock_point_id, kind, unit) "
            "VALUES (%s, %s, 'shelf_count', 'count')",
            (f"sensor-{i}", row[0]),
        )
    observed, _ = simulate_levels(n_series=N, days=31, seed=7, start=START)
    sensor_of = {f"s{j:05d}": f"sensor-{j}" for j in range(N)}
    observed = observed.drop_duplicates(["series_id", "time"])
    with (
        db.cursor() as cur,
        cur.copy("COPY readings (time, sensor_id, raw_value, quantity) FROM STDIN") as copy,
    ):
        for sid, t, level in observed.itertuples(index=False):
            copy.write_row((t.to_pydatetime(), sensor_of[sid], level, level))
    return ids


def test_job_forecasts_every_stock_point_and_records_the_silent_one(
    database_url: str, db: psycopg.Connection[Any]
) -> None:
    ids = seed_world(db)
    summary = run_forecast_job(database_url, as_of=AS_OF, workers=2, chunk_size=2)
    assert (summary.forecast, summary.failed) == (N, 1)
    rows = db.execute(
        "SELECT stock_point_id, model, level, rate_per_hour, stockout_p10, stockout_p50, "
        "stockout_p90, p_stockout_lead_time, p_stockout_next_visit, history_end "
        "FROM forecasts WHERE as_of = %s ORDER BY stock_point_id",
        (AS_OF,),
    ).fetchall()
    assert [r[0] for r in rows] == ids[:N]
    for _, model, level, rate, p10, p50, p90, p_lead, p_visit, history_end in rows:
        assert model and level >= 0 and rate >= 0
        assert p10 is None or p50 is None or p10 <= p50
        assert p50 is None or p90 is None or p50 <= p90
        assert 0 <= p_lead <= p_visit <= 1  # 48 h lead time comes before a 7-day visit
        assert history_end <= AS_OF
    failure = db.execute("SELECT stock_point_id, reason FROM forecast_failures").fetchall()
    assert failure[0][0] == ids[N] and "no readings" in failure[0][1]


def test_rerunning_the_same_as_of_skips_what_is_done(
    database_url: str, db: psycopg.Connection[Any]
) -> None:
    seed_world(db)
    db.execute("DELETE FROM sensors WHERE id = %s", (f"sensor-{N}",))
    first = run_forecast_job(database_url, as_of=AS_OF, workers=1)
    # a crash after some chunks: forget half the rows, then run again
    db.execute(
        "DELETE FROM forecasts WHERE stock_point_id IN "
        "(SELECT stock_point_id FROM forecasts ORDER BY stock_point_id LIMIT 3)"
    )
    again = run_forecast_job(database_url, as_of=AS_OF, workers=1)
    assert (first.forecast, again.forecast, again.skipped) == (N, 3, N - 3)
    count = db.execute("SELECT count(*) FROM forecasts WHERE as_of = %s", (AS_OF,)).fetchone()
    assert count == (N,)
    redo = run_forecast_job(database_url, as_of=AS_OF, workers=1, redo=True)
    assert redo.forecast == N
    runs = db.execute("SELECT DISTINCT run_id FROM forecasts").fetchall()
    assert runs == [(redo.run_id,)]


def test_stored_forecasts_answer_p_stockout_before_any_time(
    database_url: str, db: psycopg.Connection[Any]
) -> None:
    seed_world(db)
    run_forecast_job(
        database_url, as_of=AS_OF, workers=1, config=ForecastConfig(horizon_hours=14 * 24)
    )
    stored = load_forecasts(database_url, AS_OF + timedelta(hours=1))
    assert len(stored) == N
    for f in stored:
        probs = [f.p_stockout_before(AS_OF + timedelta(hours=h)) for h in (1, 24, 96, 336, 999)]
        assert probs == sorted(probs)
        if f.stockout_p50 is not None and f.stockout_p50 > f.as_of:  # not already out
            assert abs(f.p_stockout_before(f.stockout_p50) - 0.5) < 0.05
        assert np.isclose(
            f.p_stockout_before(AS_OF + timedelta(hours=48)), f.p_stockout_lead_time, atol=1e-4
        )


def test_restock_forecast_command_runs_the_job(
    database_url: str,
    db: psycopg.Connection[Any],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    seed_world(db)
    monkeypatch.setenv("RESTOCK_DATABASE_URL", database_url)
    as_of = AS_OF.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert main(["forecast", "--as-of", as_of, "--workers", "1"]) == 0  # one silent point
    assert f"{N} stock points forecast, 0 already done, 1 failed" in capsys.readouterr().out
    # again: the done ones are skipped, the silent one is tried (and fails) again
    assert main(["forecast", "--as-of", as_of, "--workers", "1"]) == 0
    assert f"0 stock points forecast, {N} already done, 1 failed" in capsys.readouterr().out
    db.execute("DELETE FROM forecasts")
    db.execute("DELETE FROM sensors WHERE id <> %s", (f"sensor-{N}",))  # only the silent one
    assert main(["forecast", "--as-of", as_of, "--workers", "1"]) == 1
    assert "0 stock points forecast, 0 already done, 1 failed" in capsys.readouterr().out


def test_a_customer_with_a_bad_time_zone_fails_alone(
    database_url: str, db: psycopg.Connection[Any]
) -> None:
    seed_world(db)
    db.execute(
        "INSERT INTO customers (id, name, segment, lat, lon, time_zone) "
        "VALUES ('cust-2', 'Nowhere', 'C', 0, 0, 'Mars/Olympus')"
    )
    db.execute("UPDATE stock_points SET customer_id = 'cust-2' WHERE product_id = 'prod-0'")
    summary = run_forecast_job(database_url, as_of=AS_OF, workers=1)
    assert (summary.forecast, summary.failed) == (N - 1, 2)
    reasons = [r[0] for r in db.execute("SELECT reason FROM forecast_failures").fetchall()]
    assert any("Mars/Olympus" in r for r in reasons)
