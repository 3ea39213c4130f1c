"""Readings: the sensor fleet's sample schedule and faults, turned into values once the
world knows the true levels.

`Readings` is a DataFrame with one row per sample a sensor took:

- `sensor` (index of the stock point in the scenario), `sensor_id`, `series_id`
  (categoricals), `seq`
- `time`: when the sample was really taken (UTC); `ts`: the timestamp the sensor
  reports (`time` + clock skew)
- `raw`: reported value in the sensor's unit; `quantity`: raw by the stored calibration
- `battery`: 0..1
- `sent`: False if the reading never reaches the broker (dropout, dead battery, offline
  without backlog); `publish_at`: when it is published; `batch`: -1, or the id of the
  gateway backlog array it is sent in; `duplicate`: sent twice; `malformed`: "" or the
  kind of broken payload sent instead
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeAlias

import numpy as np
import pandas as pd

from restock.simulators.faults import MALFORMED_KINDS, FaultPlan
from restock.simulators.scenario import Scenario
from restock.simulators.sensors import (
    FloatArray,
    IntArray,
    Physics,
    draw_noise,
    finish_raw,
    level_at,
    physics,
    sample_times,
    to_quantity,
    to_raw,
)

Readings: TypeAlias = pd.DataFrame

READING_COLUMNS = (
    "sensor",
    "sensor_id",
    "series_id",
    "seq",
    "time",
    "ts",
    "raw",
    "quantity",
    "battery",
    "sent",
    "publish_at",
    "batch",
    "duplicate",
    "malformed",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class ReadingPlan:
    """Every sample of the horizon, sorted by (time, sensor), with its faults."""

    start: datetime
    phys: Physics
    sensor_ids: tuple[str, ...]
    series_ids: tuple[str, ...]
    sensor: IntArray
    t: FloatArray
    seq: IntArray
    noise: FloatArray
    faults: FaultPlan

    def materialise(self, levels: FloatArray, t0: float, t1: float) -> Readings:
        """Readings sampled in [t0, t1) seconds from the world's start, valued from the
        hourly true `levels` (which must be known up to t1)."""
        lo, hi = np.searchsorted(self.t, [t0, t1], side="left")
        sl = slice(int(lo), int(hi))
        sensor, t, f = self.sensor[sl], self.t[sl], self.faults
        true_raw = (
            self.phys.true_tare[sensor]
            + level_at(levels, sensor, t) * (self.phys.raw_per_unit[sensor])
        )
        raw = finish_raw(self.phys, sensor, true_raw + self.noise[sl] + f.offset[sl])
        stuck_at = f.stuck_at[sl]
        stuck = ~np.isnan(stuck_at)
        if stuck.any():
            frozen = to_raw(
                self.phys, sensor[stuck], level_at(levels, sensor[stuck], stuck_at[stuck])
            )
            raw[stuck] = frozen
        return pd.DataFrame(
            {
                "sensor": sensor,
                "sensor_id": pd.Categorical.from_codes(sensor, categories=self.sensor_ids),
                "series_id": pd.Categorical.from_codes(sensor, categories=self.series_ids),
                "seq": self.seq[sl],
                "time": to_times(self.start, t),
                "ts": to_times(self.start, t + f.skew[sl]),
                "raw": raw,
                "quantity": to_quantity(self.phys, sensor, raw),
                "battery": np.round(f.battery[sl], 3),
                "sent": f.sent[sl],
                "publish_at": to_times(self.start, f.publish_t[sl]),
                "batch": f.batch[sl],
                "duplicate": f.duplicate[sl],
                "malformed": pd.Categorical.from_codes(f.malformed[sl], categories=MALFORMED_KINDS),
            }
        )

    def statuses(self, t0: float, t1: float) -> pd.DataFrame:
        """Status (LWT) changes in [t0, t1): sensor_id, time, status."""
        s = self.faults.status
        s = s[(s["t_s"] >= t0) & (s["t_s"] < t1)].sort_values(["t_s", "sensor"], kind="stable")
        return pd.DataFrame(
            {
                "sensor_id": str_take(self.sensor_ids, s["sensor"].to_numpy(dtype=np.int64)),
                "time": to_times(self.start, s["t_s"].to_numpy()),
                "status": s["status"].to_numpy(),
            }
        )

    def fault_log(self) -> pd.DataFrame:
        """Every injected fault: sensor_id, series_id, kind, start, end, detail."""
        log = self.faults.log
        idx = log["sensor"].to_numpy(dtype=np.int64)
        return pd.DataFrame(
            {
                "sensor_id": str_take(self.sensor_ids, idx),
                "series_id": str_take(self.series_ids, idx),
                "kind": log["kind"].to_numpy(),
                "start": to_times(self.start, log["start_s"].to_numpy(dtype=np.float64)),
                "end": to_times(self.start, log["end_s"].to_numpy(dtype=np.float64)),
                "detail": log["detail"].to_numpy(),
            }
        ).sort_values(["start", "sensor_id", "kind"], kind="stable", ignore_index=True)


def str_take(names: tuple[str, ...], codes: IntArray) -> pd.api.extensions.ExtensionArray:
    """names[codes] as a pandas string array (fast: no Python object per row)."""
    return pd.array(list(names), dtype="str").take(codes)


def to_times(start: datetime, seconds: FloatArray) -> pd.DatetimeIndex:
    """Seconds from `start` as UTC timestamps (millisecond resolution)."""
    base = pd.Timestamp(start).tz_convert("UTC")
    return base + pd.to_timedelta(np.round(seconds * 1000.0).astype(np.int64), unit="ms")


def plan_readings(
    scenario: Scenario,
    start: datetime,
    horizon_s: float,
    rng: np.random.Generator,
    plan_faults: Callable[[Physics, IntArray, FloatArray], FaultPlan],
) -> ReadingPlan:
    """Draw sensor physics, the sample schedule and noise; `plan_faults` adds faults."""
    phys = physics(scenario, rng)
    sensor, t, seq = sample_times(scenario, horizon_s, rng)
    order = np.lexsort((sensor, t))
    sensor, t, seq = sensor[order], t[order], seq[order]
    noise = draw_noise(phys, sensor, rng)
    return ReadingPlan(
        start=start,
        phys=phys,
        sensor_ids=tuple(sp.sensor.id for sp in scenario.stock_points),
        series_ids=tuple(sp.series_id for sp in scenario.stock_points),
        sensor=sensor,
        t=t,
        seq=seq,
        noise=noise,
        faults=plan_faults(phys, sensor, t),
    )
