"""Exports: the levels CSV forecast/ reads, and the ground truth for benchmarks."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from restock.simulators.export import export_truth, run_offline, simulate_levels, write_levels_csv


def test_levels_csv_round_trips(tmp_path: Path) -> None:
    observed, _ = simulate_levels("demo", days=3, seed=1)
    path = write_levels_csv(observed, tmp_path / "levels.csv")
    lines = path.read_text().splitlines()
    assert lines[0] == "series_id,time,level"
    assert lines[1].split(",")[1].endswith("Z")
    back = pd.read_csv(path)
    back["time"] = pd.to_datetime(back["time"], utc=True)
    assert len(back) == len(observed)
    assert (back["time"].to_numpy() == observed["time"].to_numpy()).all()
    assert (back["level"] - observed["level"]).abs().max() < 1e-3 * observed["level"].abs().max()


def test_truth_export_writes_every_table_in_csv_and_parquet(tmp_path: Path) -> None:
    sim = run_offline("demo", days=20, seed=2)
    paths = export_truth(sim, tmp_path)
    names = {p.name for p in paths}
    for table in ("truth_hourly", "stockouts", "faults", "deliveries", "promotions", "readings"):
        assert {f"{table}.csv", f"{table}.parquet"} <= names
    hourly = pd.read_parquet(tmp_path / "truth_hourly.parquet")
    assert {"series_id", "time", "true_level", "demand", "lost_demand"} <= set(hourly.columns)
    stockouts = pd.read_csv(tmp_path / "stockouts.csv")
    lost_in_truth = hourly["lost_demand"].sum()
    assert abs(stockouts["lost_demand"].sum() - lost_in_truth) < 1e-6
    faults = pd.read_csv(tmp_path / "faults.csv")
    assert len(faults) > 0 and {"sensor_id", "kind", "start", "end"} <= set(faults.columns)
    deliveries = pd.read_csv(tmp_path / "deliveries.csv")
    assert deliveries["quantity"].sum() == hourly["delivered"].sum()
