"""Hourly demand at a stock point: calendar × weekday × trend × promotions × noise.

Demand is what customers would take whether or not stock is there; the world turns it
into sales and lost demand. Everything is drawn from the `Generator` passed in.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from restock.simulators.scenario import DemandSpec

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True, kw_only=True)
class Promotion:
    """A promotion window, in hours from the start of the simulation."""

    start_hour: float
    end_hour: float
    lift: float


def promotions(spec: DemandSpec, n_hours: int, rng: np.random.Generator) -> list[Promotion]:
    """Promotion windows over `n_hours`: a Poisson number, uniformly placed (one may
    already be running at hour 0)."""
    if spec.promo_rate_per_month <= 0 or n_hours <= 0:
        return []
    length = spec.promo_days * 24.0
    span = n_hours + length
    count = int(rng.poisson(spec.promo_rate_per_month * span / (30.0 * 24.0)))
    starts = np.sort(rng.uniform(-length, n_hours, size=count))
    return [
        Promotion(start_hour=float(s), end_hour=float(s + length), lift=spec.promo_lift)
        for s in starts
    ]


def expected_demand(
    spec: DemandSpec,
    activity: FloatArray,
    weekday: FloatArray,
    promos: list[Promotion],
) -> FloatArray:
    """Mean demand per hour: `activity` (calendar, normalised per open day) scaled by
    the weekday factors, trend and promotions. Arrays are aligned on the hourly grid."""
    hours = np.arange(activity.size, dtype=np.float64)
    weekly = np.asarray(spec.weekly, dtype=np.float64)[weekday.astype(np.int64)]
    trend = (1.0 + spec.trend_per_week) ** (hours / 168.0)
    lift = np.ones_like(hours)
    for promo in promos:
        inside = (hours >= promo.start_hour) & (hours < promo.end_hour)
        lift[inside] *= promo.lift
    return np.asarray(spec.mean_daily * activity * weekly * trend * lift, dtype=np.float64)


def draw_demand(spec: DemandSpec, expected: FloatArray, rng: np.random.Generator) -> FloatArray:
    """Whole-unit demand per hour drawn around `expected`.

    smooth: Poisson, over-dispersed by a gamma factor when `dispersion` > 0;
    intermittent: orders arrive at rate expected/lot_size, each of about `lot_size`
    units (slow movers: most hours are zero); lumpy: whole lots of `lot_size` pulled
    at once (a production line taking a lot).
    """
    lam = np.clip(expected, 0.0, None)
    if spec.pattern == "smooth":
        if spec.dispersion > 0:
            shape = 1.0 / spec.dispersion
            lam = lam * rng.gamma(shape, 1.0 / shape, size=lam.size)
        return rng.poisson(lam).astype(np.float64)
    lot = max(spec.lot_size, 1.0)
    orders = rng.poisson(lam / lot).astype(np.float64)
    if spec.pattern == "lumpy":
        return orders * lot
    extra = rng.poisson(orders * (lot - 1.0)).astype(np.float64)
    return orders + extra
