"""End to end on PostgreSQL: readings → `restock forecast` → `restock replenish` →
`restock orders` / `restock routes` / `restock visit`, with the real forecast job in
between."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest

from restock.cli.main import main
from restock.forecast.synthetic import simulate_levels
from restock.replenish.orders.approval import list_orders

START = datetime(2026, 9, 1, tzinfo=UTC)
AS_OF = START + timedelta(days=21)


def seed(db: psycopg.Connection[Any]) -> None:
    """One A customer, three stock points of 21 days of synthetic readings each."""
    db.execute(
        "INSERT INTO reps (id, name, depot_lat, depot_lon) VALUES ('r1', 'Sato', 35.68, 139.76)"
    )
    db.execute(
        "INSERT INTO customers (id, name, segment, rep_id, lat, lon)"
        " VALUES ('c1', 'Ginza Market', 'A', 'r1', 35.67, 139.76)"
    )
    observed, _ = simulate_levels(n_series=3, days=21, seed=3, start=START)
    observed = observed.drop_duplicates(["series_id", "time"])
    for j in range(3):
        db.execute(
            "INSERT INTO products (id, name, pack_size, lead_time_hours) VALUES (%s, %s, 5, 24)",
            (f"p{j}", f"P{j}"),
        )
        top = float(observed[observed.series_id == f"s{j:05d}"]["level"].max())
        row = db.execute(
            "INSERT INTO stock_points (customer_id, product_id, capacity) VALUES ('c1', %s, %s)"
            " RETURNING id",
            (f"p{j}", top * 1.2),
        ).fetchone()
        assert row is not None
        db.execute(
            "INSERT INTO sensors (id, stock_point_id, kind, unit, status, battery, last_seen,"
            " last_reading_at)"
            " VALUES (%s, %s, 'shelf_count', 'count', 'online', 0.9, %s, %s)",
            (f"sensor-{j}", row[0], AS_OF, AS_OF),
        )
    sensor_of = {f"s{j:05d}": f"sensor-{j}" for j in range(3)}
    with (
        db.cursor() as cur,
        cur.copy("COPY readings (time, sensor_id, raw_value, quantity) FROM STDIN") as copy,
    ):
        for sid, t, level in observed.itertuples(index=False):
            copy.write_row((t.to_pydatetime(), sensor_of[sid], level, level))


def test_forecast_then_replenish_from_the_command_line(
    db: psycopg.Connection[Any],
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    seed(db)
    monkeypatch.setenv("RESTOCK_DATABASE_URL", database_url)
    as_of = AS_OF.isoformat()
    assert main(["forecast", "--as-of", as_of, "--workers", "1"]) == 0
    assert main(["replenish", "--as-of", as_of]) == 0
    first = capsys.readouterr().out
    assert "3 stock points, 1 drafted" in first
    assert main(["replenish", "--as-of", as_of]) == 0  # same as_of: nothing new
    assert "0 drafted, 0 updated" in capsys.readouterr().out
    [order] = list_orders(db)  # one customer: one consolidated order
    assert order.lines and all(line.quantity % 5 == 0 for line in order.lines)
    assert order.status == "approved"
    assert main(["orders"]) == 0
    assert main(["routes", "--rep", "r1", "--day", "2026-09-23", "--seconds", "0.2"]) == 0
    assert "km" in capsys.readouterr().out
    assert main(["approve", "999", "--actor", "hana"]) == 2
    assert "order 999 does not exist" in capsys.readouterr().err
    visit_at = "2026-09-23T02:30:00Z"
    assert main(["visit", "--rep", "r1", "--customer", "c1", "--at", visit_at]) == 0
    assert "r1 at c1" in capsys.readouterr().out
    assert db.execute(
        "SELECT count(*) FROM planned_visits WHERE status = 'done' AND customer_id = 'c1'"
    ).fetchone() == (1,)
    assert main(["visit", "--rep", "r1", "--customer", "nobody"]) == 2
    assert "'nobody' is not a customer of rep 'r1'" in capsys.readouterr().err
