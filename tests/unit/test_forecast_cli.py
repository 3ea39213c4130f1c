"""`restock forecast-file` and `restock backtest` as a planner would run them."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from restock.cli.main import main

START = datetime(2026, 6, 1, tzinfo=UTC)  # June: no Japanese public holidays


def write_levels(path: Path, *, days: int = 21, series: int = 2, shuffle: bool = True) -> Path:
    """A simple shop: 1 (+0.5 per series) units per open hour (09–18 JST, closed Sunday),
    refilled to 100 each Monday at 10:00."""
    rows = []
    for s in range(series):
        level = 100.0
        for h in range(days * 24):
            t = START + timedelta(hours=h)
            local = t + timedelta(hours=9)
            if local.weekday() == 0 and local.hour == 10:
                level = 100.0
            if 9 <= local.hour < 18 and local.weekday() < 6:
                level -= 1.0 + 0.5 * s
            rows.append((f"sp-{s}", t.strftime("%Y-%m-%dT%H:%M:%SZ"), f"{max(level, 0):g}"))
    if shuffle:
        rows = rows[::-1]
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(("series_id", "time", "level"))
        w.writerows(rows)
    return path


def test_forecast_file_writes_the_documented_columns(tmp_path: Path) -> None:
    levels = write_levels(tmp_path / "levels.csv", days=20)  # ends Sunday 08:00 JST
    out = tmp_path / "out.csv"
    assert main(["forecast-file", str(levels), "-o", str(out), "--workers", "1"]) == 0
    with out.open() as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == [
        "series_id",
        "as_of",
        "model",
        "level",
        "rate_per_hour",
        "stockout_p10",
        "stockout_p50",
        "stockout_p90",
    ]
    assert {r["series_id"] for r in rows} == {"sp-0", "sp-1"}
    by_id = {r["series_id"]: r for r in rows}
    last = START + timedelta(hours=20 * 24 - 1)
    assert by_id["sp-0"]["as_of"] == last.strftime("%Y-%m-%dT%H:%M:%SZ")
    p10, p50, p90 = (
        datetime.fromisoformat(by_id["sp-1"][k])
        for k in ("stockout_p10", "stockout_p50", "stockout_p90")
    )
    assert p10 <= p50 <= p90
    # sp-1 has about 20 units left at 1.5/h from Monday 09:00: out on Tuesday
    assert last + timedelta(days=1) < p50 < last + timedelta(days=3)


def test_stockouts_beyond_the_horizon_are_left_empty(tmp_path: Path) -> None:
    levels = write_levels(tmp_path / "levels.csv", series=1)
    out = tmp_path / "out.csv"
    as_of = (START + timedelta(days=14, hours=2)).strftime("%Y-%m-%dT%H:%MZ")  # Monday 11:00 JST
    code = main(
        [
            "forecast-file",
            str(levels),
            "--as-of",
            as_of,
            "--horizon",
            "12h",
            "-o",
            str(out),
            "--workers",
            "1",
        ]
    )
    assert code == 0
    with out.open() as f:
        row = next(csv.DictReader(f))
    assert row["stockout_p50"] == "" and row["stockout_p90"] == ""
    assert row["as_of"] == (START + timedelta(days=14, hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        ("sp-9,yesterday,5", "line 4: time is not an ISO 8601 timestamp"),
        ("sp-9,2026-09-01T00:00:00Z,lots", "line 4: level is not a number"),
        (",2026-09-01T00:00:00Z,5", "line 4: empty series_id"),
    ],
)
def test_a_bad_row_is_named_by_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], bad_line: str, message: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "series_id,time,level\n"
        "sp-1,2026-09-01T00:00:00Z,5\n"
        "sp-1,2026-09-01T01:00:00+09:00,4\n"
        f"{bad_line}\n"
    )
    assert main(["forecast-file", str(path), "-o", str(tmp_path / "o.csv")]) == 2
    assert message in capsys.readouterr().err


def test_a_missing_column_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("series_id,when,level\nsp-1,2026-09-01T00:00:00Z,5\n")
    assert main(["forecast-file", str(path)]) == 2
    assert "line 1: header lacks column(s) time" in capsys.readouterr().err


def test_backtest_prints_every_model_and_restock(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    levels = write_levels(tmp_path / "levels.csv", days=28, series=2)
    assert main(["backtest", str(levels), "--models", "ew_profile,ew_rate"]) == 0
    out = capsys.readouterr().out
    lines = {line.split()[0]: line.split() for line in out.splitlines() if line}
    assert {"ew_profile", "ew_rate", "restock"} <= set(lines)
    assert lines["restock"][1] == "2"  # both series scored
    # the weekly profile knows Sunday is closed; a flat rate does not
    assert float(lines["ew_profile"][2]) < float(lines["ew_rate"][2])


def test_a_short_row_is_named_by_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("series_id,time,level\nsp-1,2026-09-01T00:00:00Z,5\nsp-1,2026-09-01T01:00Z\n")
    assert main(["forecast-file", str(path)]) == 2
    assert "line 3: level is not a number" in capsys.readouterr().err


def test_a_row_with_too_many_fields_is_named_by_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("series_id,time,level\nsp-1,2026-09-01T00:00:00Z,5\nsp-1,2026-09-01,4,9\n")
    assert main(["forecast-file", str(path)]) == 2
    assert "line 3" in capsys.readouterr().err
