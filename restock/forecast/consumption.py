"""Levels → hourly consumption: regular grid, spikes, stuck sensors, refills, censoring.

The input is what sensors report (irregular times, duplicates, noise, spikes, gaps,
refills). The output is an hourly consumption series in which every hour whose demand
cannot be read off the levels is NaN: gaps, refill hours (demand hidden by the jump),
hours spent empty (censored demand: the customer wanted more than was there), and
stretches where the sensor was stuck.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from restock.forecast.errors import BadLevelsError
from restock.forecast.timegrid import BoolArray, FloatArray, IntArray, hour_of_week


@dataclass(frozen=True, slots=True, kw_only=True)
class CleaningConfig:
    """How levels are turned into consumption.

    step_s: grid step in seconds; history_hours: how far back from `as_of` to look;
    spike_mads: a reading this many robust deviations from its neighbours' median is a
    spike; refill_share, refill_noise: an upward jump larger than this share of the
    level range and than this many noise deviations is a refill; stuck_hours:
    identical readings for this long, followed by a drop, mean a stuck sensor;
    empty_share: levels below this share of the range count as empty;
    max_gap_hours: a change across a gap up to this long is spread over it (sparse
    reporting, short dropouts); longer gaps leave demand unknown;
    holidays: country whose public holidays count as Sundays (None: no holidays).
    """

    step_s: int = 3600
    history_hours: int = 60 * 24
    spike_mads: float = 6.0
    refill_share: float = 0.04
    refill_noise: float = 5.0
    stuck_hours: int = 12
    empty_share: float = 0.01
    max_gap_hours: int = 6
    holidays: str | None = "JP"


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Consumption:
    """An hourly consumption series on the grid ending at `end` (epoch seconds).

    Bin i covers (end - (n - i) * step, end - (n - 1 - i) * step]. `level` is the cleaned
    level at the end of each bin (NaN where nothing was observed), `consumption[i]` the
    demand in bin i (the drop between the observations around it, spread evenly over
    the bins between them), NaN where it is unknown.
    `hour_of_week` is the local hour-of-week of each bin's start. `noise` is the robust
    standard deviation of hourly level changes; `level_range` the robust range of levels.
    """

    end: int
    step: int
    time_zone: str
    level: FloatArray
    consumption: FloatArray
    hour_of_week: IntArray
    refill: BoolArray
    censored: BoolArray
    noise: float
    level_range: float

    @property
    def n(self) -> int:
        return len(self.level)

    def last_observed(self) -> int | None:
        """Index of the last bin with a level, or None when there is none."""
        idx = np.flatnonzero(~np.isnan(self.level))
        return int(idx[-1]) if len(idx) else None


def to_consumption(
    times: IntArray,
    levels: FloatArray,
    *,
    end: int,
    time_zone: str,
    config: CleaningConfig | None = None,
) -> Consumption:
    """Clean one series of (epoch seconds, level) readings into hourly consumption.

    Readings after `end` are ignored; readings older than `config.history_hours` too.
    Raises BadLevelsError when no usable reading is left.
    """
    cfg = config or CleaningConfig()
    step = cfg.step_s
    n = cfg.history_hours * 3600 // step
    keep = np.isfinite(levels) & (times <= end) & (times > end - n * step)
    t, v = times[keep], levels[keep]
    if len(t) == 0:
        raise BadLevelsError("no readings in the history window")
    # bin i covers (end-(n-i)*step, end-(n-1-i)*step]
    bins = n - 1 - (end - t) // step
    level = _bin_median(bins.astype(np.int64), v.astype(np.float64), n)
    level = _despike(level, cfg.spike_mads)
    rng = _robust_range(level)
    level = _unstick(level, cfg.stuck_hours * 3600 // step, rng * cfg.refill_share)
    consumption, refill, censored, noise = _spread(
        level,
        max_gap=max(cfg.max_gap_hours * 3600 // step, 1),
        refill_noise=cfg.refill_noise,
        refill_min=cfg.refill_share * rng,
        empty_below=max(cfg.empty_share * rng, 1e-9),
    )
    starts = end - step * np.arange(n, 0, -1, dtype=np.int64)
    return Consumption(
        end=end,
        step=step,
        time_zone=time_zone,
        level=level,
        consumption=consumption,
        hour_of_week=hour_of_week(starts, time_zone, cfg.holidays),
        refill=refill,
        censored=censored,
        noise=noise,
        level_range=rng,
    )


def _spread(
    level: FloatArray, *, max_gap: int, refill_noise: float, refill_min: float, empty_below: float
) -> tuple[FloatArray, BoolArray, BoolArray, float]:
    """Consumption per bin from the change between consecutive observed levels.

    A change spanning up to `max_gap` bins (a sensor reporting less often than the
    grid, a short dropout) is spread evenly over them; longer gaps stay unknown. A rise
    above max(refill_noise × noise, refill_min) is a refill and a span that ends empty
    is censored: their bins are unknown too. Returns (consumption, refill, censored,
    noise), the first three per bin.
    """
    n = len(level)
    consumption = np.full(n, np.nan)
    refill = np.zeros(n, dtype=bool)
    censored = np.zeros(n, dtype=bool)
    idx = np.flatnonzero(~np.isnan(level))
    if len(idx) < 2:
        return consumption, refill, censored, 0.0
    change = np.diff(level[idx])
    span = np.diff(idx)
    noise = _noise(change / span)
    is_refill = change > max(refill_noise * noise, refill_min, 1e-9)
    is_empty = level[idx[1:]] <= empty_below
    # bin i in (idx[k], idx[k+1]] belongs to span k
    covered = np.arange(idx[0] + 1, idx[-1] + 1)
    k = np.searchsorted(idx, covered, side="left") - 1
    refill[covered] = is_refill[k]
    censored[covered] = is_empty[k]
    censored[idx[0]] = bool(level[idx[0]] <= empty_below)
    known = (span[k] <= max_gap) & ~is_refill[k] & ~is_empty[k]
    consumption[covered[known]] = (-change / span)[k[known]]
    return consumption, refill, censored, noise


def _bin_median(bins: IntArray, values: FloatArray, n: int) -> FloatArray:
    """Median of the readings in each bin (duplicates and bursts collapse), NaN if none."""
    order = np.lexsort((values, bins))
    b, v = bins[order], values[order]
    counts = np.bincount(b, minlength=n)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    has = counts > 0
    lo = starts[has] + (counts[has] - 1) // 2
    hi = starts[has] + counts[has] // 2
    out = np.full(n, np.nan)
    out[has] = 0.5 * (v[lo] + v[hi])
    return out


def _despike(level: FloatArray, mads: float) -> FloatArray:
    """Replace isolated outliers by interpolating their good neighbours.

    A running median of five preserves steps (refills), so steps are never spikes.
    """
    idx = np.flatnonzero(~np.isnan(level))
    if len(idx) < 5:
        return level
    obs = level[idx]
    # edges repeat the end values: a ramp stays a ramp (the newest reading cannot be
    # told from a real change until the next one arrives)
    padded = np.concatenate((obs[:1], obs[:1], obs, obs[-1:], obs[-1:]))
    med = np.median(sliding_window_view(padded, 5), axis=1)
    resid = obs - med
    scale = 1.4826 * float(np.median(np.abs(resid)))
    typical_step = float(np.median(np.abs(np.diff(obs))))
    floor = max(typical_step, 1e-3 * float(np.ptp(med)), 1e-9)
    spikes = np.abs(resid) > mads * max(scale, floor)
    if not spikes.any():
        return level
    out = level.copy()
    good = ~spikes
    # interpolate between the neighbouring good readings: keeps the hourly demand intact
    out[idx[spikes]] = np.interp(idx[spikes], idx[good], obs[good]) if good.any() else med[spikes]
    return out


def _unstick(level: FloatArray, min_run: int, drop: float) -> FloatArray:
    """Blank runs of identical readings that end in a large drop: a stuck sensor.

    A closed shop also reads flat, but its flat stretch ends in an ordinary hour of
    demand; a stuck sensor releases all the demand it missed at once.
    """
    idx = np.flatnonzero(~np.isnan(level))
    if len(idx) <= min_run:
        return level
    obs = level[idx]
    change = np.flatnonzero(np.diff(obs) != 0) + 1
    run_starts = np.concatenate(([0], change))
    run_ends = np.concatenate((change, [len(obs)]))  # exclusive
    ends_ok = run_ends < len(obs)
    drops = np.zeros(len(run_starts))
    drops[ends_ok] = obs[run_starts[ends_ok]] - obs[run_ends[ends_ok]]
    stuck = (run_ends - run_starts >= min_run) & ends_ok & (drops > drop)
    if not stuck.any():
        return level
    out = level.copy()
    for s, e in zip(run_starts[stuck], run_ends[stuck], strict=True):
        out[idx[s + 1 : e]] = np.nan
    return out


def _robust_range(level: FloatArray) -> float:
    obs = level[~np.isnan(level)]
    if len(obs) == 0:
        return 0.0
    lo, hi = np.percentile(obs, [1.0, 99.0])
    return float(max(hi - lo, np.max(obs) - np.min(obs)) if hi <= lo else hi - lo)


def _noise(changes: FloatArray) -> float:
    """Robust standard deviation of per-bin level changes (0 with fewer than three)."""
    d = changes[np.isfinite(changes)]
    if len(d) < 3:
        return 0.0
    return float(1.4826 * np.median(np.abs(d - np.median(d))))
