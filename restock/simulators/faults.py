"""Fault injection: which readings are lost, bent, repeated, delayed or garbled.

Planned up front for the whole horizon from a seeded `Generator`, so a fault is the
same whatever the step size of the world. Every injected fault is logged.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from restock.simulators.scenario import Scenario
from restock.simulators.sensors import FloatArray, IntArray, Physics

BoolArray = npt.NDArray[np.bool_]

# Kinds of malformed payload (index into this tuple; 0 means a good payload).
MALFORMED_KINDS = ("", "not_json", "value_not_number", "missing_ts", "bad_ts")


@dataclass(frozen=True, slots=True, kw_only=True)
class FaultPlan:
    """Per reading (aligned with the sample arrays) plus the logs."""

    offset: FloatArray  # raw units added (spikes, drift)
    stuck_at: FloatArray  # NaN, or the time (s) whose clean raw value is repeated
    skew: FloatArray  # seconds added to the reported timestamp
    battery: FloatArray
    sent: BoolArray  # False: never reaches the broker
    publish_t: FloatArray  # seconds from start when published
    batch: IntArray  # -1, or the id of the backlog array it is sent in
    duplicate: BoolArray
    malformed: IntArray  # index into MALFORMED_KINDS
    log: pd.DataFrame  # sensor, kind, start_s, end_s, detail
    status: pd.DataFrame  # sensor, t_s, status ("online"/"offline")


def _intervals(
    rng: np.random.Generator, n_sensors: int, per_day: float, mean_hours: float, horizon_s: float
) -> list[tuple[int, float, float]]:
    """Random (sensor, start, end) windows: Poisson starts, exponential lengths."""
    if per_day <= 0:
        return []
    counts = rng.poisson(per_day * horizon_s / 86400.0, size=n_sensors)
    out: list[tuple[int, float, float]] = []
    for sensor, count in enumerate(counts):
        starts = np.sort(rng.uniform(0.0, horizon_s, size=int(count)))
        lengths = rng.exponential(mean_hours * 3600.0, size=int(count))
        out += [(sensor, float(s), float(s + d)) for s, d in zip(starts, lengths, strict=True)]
    return out


class _Windows:
    """Finds the readings of one sensor inside a time window without scanning them all."""

    def __init__(self, sensor: IntArray, t: FloatArray, n_sensors: int) -> None:
        self.order = np.lexsort((t, sensor))  # grouped by sensor, in time order
        self.t_sorted = t[self.order]
        self.bounds = np.searchsorted(sensor[self.order], np.arange(n_sensors + 1))

    def inside(self, window: tuple[int, float, float]) -> IntArray:
        """Positions (in the original arrays) of the sensor's readings in [start, end)."""
        who, start, end = window
        a, b = int(self.bounds[who]), int(self.bounds[who + 1])
        lo, hi = np.searchsorted(self.t_sorted[a:b], [start, end])
        return np.asarray(self.order[a + lo : a + hi], dtype=np.int64)


def plan_faults(
    scenario: Scenario,
    phys: Physics,
    sensor: IntArray,
    t: FloatArray,
    horizon_s: float,
    rng: np.random.Generator,
) -> FaultPlan:
    """Plan every fault of the scenario's `Faults` for readings (`sensor`, `t`)."""
    f = scenario.faults
    n_sensors = len(scenario.stock_points)
    n = t.size
    log: list[tuple[int, str, float, float, str]] = []
    status: list[tuple[int, float, str]] = []
    offset = np.zeros(n)
    stuck_at = np.full(n, np.nan)
    sent = np.ones(n, dtype=np.bool_)
    publish_t = t.copy()
    batch = np.full(n, -1, dtype=np.int64)
    windows = _Windows(sensor, t, n_sensors)

    for w in _intervals(rng, n_sensors, f.dropout_per_day, f.dropout_mean_hours, horizon_s):
        sent[windows.inside(w)] = False
        log.append((w[0], "dropout", w[1], w[2], ""))
    for w in _intervals(rng, n_sensors, f.stuck_per_day, f.stuck_mean_hours, horizon_s):
        stuck_at[windows.inside(w)] = w[1]
        log.append((w[0], "stuck", w[1], w[2], ""))

    drifting = rng.random(n_sensors) < f.drift_fraction
    drift_rate = rng.choice([-1.0, 1.0], size=n_sensors) * f.drift_per_day * phys.raw_range
    drift_rate = np.where(drifting, drift_rate, 0.0)
    offset += drift_rate[sensor] * t / 86400.0
    for s in np.flatnonzero(drifting):
        log.append((int(s), "drift", 0.0, horizon_s, f"{drift_rate[s]:.4g} raw/day"))

    spikes = rng.random(n) < f.spike_prob
    sign = np.where(rng.random(n) < 0.7, 1.0, -1.0)
    spike_size = sign * f.spike_magnitude * phys.raw_range[sensor] * rng.uniform(0.5, 1.0, n)
    offset += np.where(spikes, spike_size, 0.0)
    log += [
        (int(sensor[i]), "spike", t[i], t[i], f"{spike_size[i]:.4g}")
        for i in np.flatnonzero(spikes)
    ]

    skewed = rng.random(n_sensors) < f.skew_fraction
    skew_s = np.where(skewed, np.round(rng.uniform(-f.skew_max_s, f.skew_max_s, n_sensors)), 0.0)
    for s in np.flatnonzero(skewed):
        log.append((int(s), "clock_skew", 0.0, horizon_s, f"{skew_s[s]:+.0f} s"))

    specs = [sp.sensor for sp in scenario.stock_points]
    b0 = np.array([s.battery_start for s in specs])
    per_day = np.array([s.battery_per_day for s in specs])
    battery = np.clip(b0[sensor] - per_day[sensor] * t / 86400.0, 0.0, 1.0)
    dead = battery <= 0.0
    sent &= ~dead
    death = np.full(n_sensors, np.inf)
    for s in np.flatnonzero(per_day > 0):
        death[s] = b0[s] / per_day[s] * 86400.0
        if death[s] < horizon_s:
            log.append((int(s), "battery_dead", death[s], horizon_s, ""))
            status.append((int(s), death[s], "offline"))

    n_batches = 0
    for who, begin, end in _intervals(
        rng, n_sensors, f.offline_per_day, f.offline_mean_hours, horizon_s
    ):
        if begin >= death[who]:
            continue  # a dead sensor cannot go offline again
        # back at `end` (at the latest when the horizon ends), unless the battery dies first
        back = min(end, horizon_s)
        dies = death[who] <= back
        pos = windows.inside((who, begin, back))
        inside = pos[sent[pos]]
        status.append((who, begin, "offline"))
        if not dies and back < horizon_s:
            status.append((who, back, "online"))
        log.append((who, "offline", begin, back, "backlog" if f.backlog and not dies else "lost"))
        if f.backlog and not dies:
            publish_t[inside] = back
            batch[inside] = n_batches
            n_batches += 1
        else:
            sent[inside] = False

    single = sent & (batch < 0)
    duplicate = single & (rng.random(n) < f.duplicate_prob)
    late = single & (rng.random(n) < f.out_of_order_prob)
    interval = np.array([s.interval_s for s in specs])[sensor]
    publish_t = np.where(late, publish_t + 1.5 * interval, publish_t)
    malformed = np.where(
        single & (rng.random(n) < f.malformed_prob),
        rng.integers(1, len(MALFORMED_KINDS), size=n),
        0,
    ).astype(np.int64)
    for kind, mask in (("duplicate", duplicate), ("out_of_order", late)):
        log += [(int(sensor[i]), kind, t[i], t[i], "") for i in np.flatnonzero(mask)]
    log += [
        (int(sensor[i]), "malformed", t[i], t[i], MALFORMED_KINDS[malformed[i]])
        for i in np.flatnonzero(malformed)
    ]
    return FaultPlan(
        offset=offset,
        stuck_at=stuck_at,
        skew=skew_s[sensor],
        battery=battery,
        sent=sent,
        publish_t=publish_t,
        batch=batch,
        duplicate=duplicate,
        malformed=malformed,
        log=pd.DataFrame(log, columns=["sensor", "kind", "start_s", "end_s", "detail"]),
        status=pd.DataFrame(status, columns=["sensor", "t_s", "status"]),
    )
