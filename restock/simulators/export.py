"""Run a scenario offline and export what benchmarks and forecasting need.

`simulate_levels` is the contract `forecast/` builds on: the levels the database would
hold (observed) and the truth behind them. `export_truth` writes the ground truth as
CSV and/or Parquet; `write_levels_csv` the `series_id,time,level` file that
`restock forecast-file` reads.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from restock.simulators.deliveries import DeliverySource, scheduled_refills
from restock.simulators.readings import Readings, str_take
from restock.simulators.scenario import Scenario
from restock.simulators.scenario_file import load_scenario
from restock.simulators.world import World

log = logging.getLogger(__name__)

# Used when neither the caller nor the scenario says when the simulation starts.
DEFAULT_START = datetime(2026, 9, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True, kw_only=True)
class Simulation:
    """A finished offline run: the world (truth) and every reading its sensors took."""

    world: World
    readings: Readings


def resolve_scenario(scenario: Scenario | str | Path) -> Scenario:
    """A Scenario as given, or loaded from a path / built-in name."""
    return scenario if isinstance(scenario, Scenario) else load_scenario(scenario)


def run_offline(
    scenario: Scenario | str | Path,
    *,
    days: float,
    seed: int,
    start: datetime | None = None,
    source: DeliverySource | None = None,
) -> Simulation:
    """Simulate `days` in one go. Refills come from `source`, by default the scenario's
    scripted baseline schedule. Raises ScenarioError for a bad scenario."""
    sc = resolve_scenario(scenario)
    begin = start or sc.start or DEFAULT_START
    world = World(sc, seed=seed, start=begin, days=days)
    readings = world.run(source or scheduled_refills(sc, world.start, days))
    return Simulation(world=world, readings=readings)


def observed_levels(readings: Readings) -> pd.DataFrame:
    """What the database ends up holding: readings that arrived well-formed, one per
    (sensor, reported time), at their reported time, in product units by the stored
    calibration. Columns series_id (str), time (UTC), level; sorted by series
    (scenario order), then time."""
    ok = readings[readings["sent"].to_numpy() & (readings["malformed"] == "").to_numpy()]
    sensor = ok["sensor"].to_numpy(dtype=np.int64)
    ts = ok["ts"].array.asi8
    order = np.lexsort((ts, sensor))
    sensor, ts = sensor[order], ts[order]
    keep = np.ones(order.size, dtype=np.bool_)
    keep[1:] = (sensor[1:] != sensor[:-1]) | (ts[1:] != ts[:-1])
    rows = order[keep]
    names = tuple(str(c) for c in readings["series_id"].cat.categories)
    return pd.DataFrame(
        {
            "series_id": str_take(names, sensor[keep]),
            "time": ok["ts"].array.take(rows),
            "level": ok["quantity"].to_numpy(dtype=np.float64)[rows],
        }
    )


def simulate_levels(
    scenario: Scenario | str | Path, *, days: float, seed: int, start: datetime | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(observed, truth) for `days` of the scenario under its scripted refills.

    observed: series_id (str), time (tz-aware UTC), level (float, product units, what
    the sensors report after calibration, faults included).
    truth: series_id, time (hourly, UTC), true_level (at the hour), demand (what would
    have been taken whether or not stock was there), lost_demand, and also delivered,
    external (customers' own restocks) and overflow within the hour.
    Same scenario, days, seed and start ⇒ identical frames. Raises ScenarioError.
    """
    sim = run_offline(scenario, days=days, seed=seed, start=start)
    return observed_levels(sim.readings), sim.world.truth()


def iso_utc(times: pd.Series) -> pd.Series:
    """ISO 8601 UTC strings, "2026-11-22T09:00:00Z" (milliseconds only when present)."""
    t = pd.to_datetime(times, utc=True)
    whole = (t.dt.microsecond == 0).all()
    fmt = "%Y-%m-%dT%H:%M:%SZ" if whole else "%Y-%m-%dT%H:%M:%S.%fZ"
    out = t.dt.strftime(fmt)
    return out if whole else out.str.replace(r"(\.\d{3})\d{3}Z$", r"\1Z", regex=True)


def write_levels_csv(observed: pd.DataFrame, path: Path) -> Path:
    """Write `series_id,time,level` (ISO 8601 UTC times) to `path`; returns it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    out = observed[["series_id", "time", "level"]].copy()
    out["time"] = iso_utc(out["time"])
    out.to_csv(path, index=False, float_format="%.8g")
    log.info("wrote %s levels to %s", len(out), path)
    return path


def stockouts(world: World) -> pd.DataFrame:
    """Every stockout interval: series_id, start, end, hours, lost_demand. An hour is out
    of stock when it ends empty or loses demand."""
    rows: list[tuple[str, datetime, datetime, int, float]] = []
    h = world.hour
    out_mask = (world.level[:, 1 : h + 1] <= 0) | (world.lost[:, :h] > 0)
    for sid, i in world.index.items():
        edges = np.diff(np.concatenate([[0], out_mask[i].astype(np.int8), [0]]))
        for a, b in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True):
            rows.append(
                (
                    sid,
                    world.hours[a].to_pydatetime(),
                    (world.hours[a] + pd.Timedelta(hours=int(b - a))).to_pydatetime(),
                    int(b - a),
                    float(world.lost[i, a:b].sum()),
                )
            )
    return pd.DataFrame(rows, columns=["series_id", "start", "end", "hours", "lost_demand"])


def truth_tables(sim: Simulation) -> dict[str, pd.DataFrame]:
    """The ground-truth tables by name: truth_hourly, stockouts, faults, deliveries,
    promotions, readings (every sample, including those never sent)."""
    w = sim.world
    promos = [
        (sid, w.start + pd.Timedelta(hours=a), w.start + pd.Timedelta(hours=b), lift)
        for sid, spans in w.promotions.items()
        for a, b, lift in spans
    ]
    return {
        "truth_hourly": w.truth(),
        "stockouts": stockouts(w),
        "faults": w.plan.fault_log(),
        "deliveries": pd.DataFrame(
            w.deliveries_log, columns=["series_id", "at", "quantity", "ref"]
        ),
        "promotions": pd.DataFrame(promos, columns=["series_id", "start", "end", "lift"]),
        "readings": sim.readings,
    }


def export_truth(
    sim: Simulation, directory: Path, formats: tuple[str, ...] = ("csv", "parquet")
) -> list[Path]:
    """Write every truth table to `directory` in each of `formats`; returns the paths."""
    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name, table in truth_tables(sim).items():
        for fmt in formats:
            path = directory / f"{name}.{fmt}"
            if fmt == "csv":
                table.to_csv(path, index=False)
            elif fmt == "parquet":
                table.to_parquet(path, index=False)
            else:
                raise ValueError(f"unknown export format {fmt!r} (csv, parquet)")
            written.append(path)
    log.info("wrote %s truth files to %s", len(written), directory)
    return written
