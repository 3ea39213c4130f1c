"""Sensors: when each one samples, and what raw value it reports for a true level.

A shelf weight sensor reports grams (tare + units × unit weight, with noise), a count
sensor whole units (with the odd miscount), a line bin sensor percent of capacity.
The stored calibration (`SensorSpec.tare`/`scale`) maps raw back to units; the
physical sensor may sit off it by `tare_error`/`scale_error`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from restock.simulators.scenario import Scenario

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

KIND_CODES = {"shelf_weight": 0, "shelf_count": 1, "line_bin": 2}


@dataclass(frozen=True, slots=True, kw_only=True)
class Physics:
    """Per sensor (aligned with the scenario's stock points): how raw relates to units."""

    kind: IntArray
    true_tare: FloatArray
    raw_per_unit: FloatArray  # physical, 1 / true scale
    noise: FloatArray
    tare: FloatArray  # stored calibration
    scale: FloatArray
    raw_range: FloatArray  # raw span of a full stock point, for fault magnitudes


def physics(scenario: Scenario, rng: np.random.Generator) -> Physics:
    """Draw each sensor's deviation from its stored calibration."""
    specs = [sp.sensor for sp in scenario.stock_points]
    n = len(specs)
    tare = np.array([s.tare for s in specs], dtype=np.float64)
    scale = np.array([s.scale for s in specs], dtype=np.float64)
    tare_err = np.array([s.tare_error for s in specs]) * rng.standard_normal(n)
    scale_err = np.array([s.scale_error for s in specs]) * rng.standard_normal(n)
    capacity = np.array([sp.capacity for sp in scenario.stock_points], dtype=np.float64)
    return Physics(
        kind=np.array([KIND_CODES[s.kind] for s in specs], dtype=np.int64),
        true_tare=tare + tare_err,
        raw_per_unit=1.0 / (scale * (1.0 + scale_err)),
        noise=np.array([s.noise for s in specs], dtype=np.float64),
        tare=tare,
        scale=scale,
        raw_range=np.abs(capacity / scale),
    )


def sample_times(
    scenario: Scenario, horizon_s: float, rng: np.random.Generator
) -> tuple[IntArray, FloatArray, IntArray]:
    """(sensor index, sample time in whole seconds from start, seq) for every reading
    every sensor takes over [0, horizon_s): a random phase, then its interval, each
    sample moved by up to ± jitter (bounded so samples stay in order)."""
    idx_parts: list[IntArray] = []
    t_parts: list[FloatArray] = []
    seq_parts: list[IntArray] = []
    for i, sp in enumerate(scenario.stock_points):
        interval = sp.sensor.interval_s
        jitter = min(sp.sensor.jitter_s, 0.45 * interval)
        phase = rng.uniform(0.0, interval)
        count = int(np.ceil((horizon_s - phase) / interval)) if horizon_s > phase else 0
        k = np.arange(count, dtype=np.float64)
        t = np.round(phase + k * interval + rng.uniform(-jitter, jitter, size=count))
        keep = (t >= 0) & (t < horizon_s)
        idx_parts.append(np.full(int(keep.sum()), i, dtype=np.int64))
        t_parts.append(t[keep])
        seq_parts.append(np.arange(count, dtype=np.int64)[keep])
    if not idx_parts:
        return np.zeros(0, np.int64), np.zeros(0), np.zeros(0, np.int64)
    return np.concatenate(idx_parts), np.concatenate(t_parts), np.concatenate(seq_parts)


def draw_noise(phys: Physics, sensor: IntArray, rng: np.random.Generator) -> FloatArray:
    """Raw-unit measurement noise for each reading: Gaussian for weight and bin
    sensors, a ±1 miscount with probability `noise` for count sensors."""
    n = sensor.size
    gauss = rng.standard_normal(n) * phys.noise[sensor]
    flips = (rng.random(n) < phys.noise[sensor]) * rng.choice([-1.0, 1.0], size=n)
    return np.where(phys.kind[sensor] == KIND_CODES["shelf_count"], flips, gauss)


def level_at(levels: FloatArray, sensor: IntArray, t: FloatArray) -> FloatArray:
    """The true level of each reading's stock point at time `t` (seconds from start),
    linear between the hourly levels (levels[:, h] is the level at hour h)."""
    pos = t / 3600.0
    h = np.clip(np.floor(pos).astype(np.int64), 0, levels.shape[1] - 2)
    frac = pos - h
    return np.asarray(
        levels[sensor, h] * (1.0 - frac) + levels[sensor, h + 1] * frac, dtype=np.float64
    )


def to_raw(phys: Physics, sensor: IntArray, quantity: FloatArray) -> FloatArray:
    """Raw sensor output (noise-free) for a quantity in product units, rounded as the
    device would: 0.1 g, whole counts, 0.1 %."""
    raw = phys.true_tare[sensor] + quantity * phys.raw_per_unit[sensor]
    return finish_raw(phys, sensor, raw)


def finish_raw(phys: Physics, sensor: IntArray, raw: FloatArray) -> FloatArray:
    """Clip and round raw values to what the device can report."""
    kind = phys.kind[sensor]
    counted = np.maximum(np.round(raw), 0.0)
    percent = np.round(np.clip(raw, 0.0, 100.0), 1)
    grams = np.round(raw, 1)
    return np.where(
        kind == KIND_CODES["shelf_count"],
        counted,
        np.where(kind == KIND_CODES["line_bin"], percent, grams),
    )


def to_quantity(phys: Physics, sensor: IntArray, raw: FloatArray) -> FloatArray:
    """Product units by the stored calibration: (raw − tare) × scale."""
    return np.asarray((raw - phys.tare[sensor]) * phys.scale[sensor], dtype=np.float64)
