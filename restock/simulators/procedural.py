"""Generate many customers and their stock points from a few parameters (`[generate]`).

Output is plain TOML-shaped tables, validated by `scenario_file` exactly like written
ones. The generator has its own `seed`: the customer list is part of the scenario, not
of a simulation run.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from restock.simulators.errors import ScenarioError
from restock.simulators.scenario import Product

_ALLOWED = {
    "seed",
    "customers",
    "id_prefix",
    "center",
    "radius_km",
    "kinds",
    "segments",
    "products_per_customer",
    "sensor_kinds",
    "interval_minutes",
    "patterns",
    "mean_daily",
    "days_of_cover",
    "cover_cadences",
    "refill_every_days",
    "battery_per_day",
    "external_rate_per_month",
    "trend_per_week",
    "promo_rate_per_month",
}

CADENCE_DAYS = {"A": 7, "B": 14, "C": 28}  # generated customers' visit habit per segment


def _pick(rng: np.random.Generator, weights: Mapping[str, float], size: int) -> list[str]:
    names = list(weights)
    p = np.array([weights[n] for n in names], dtype=np.float64)
    return [names[i] for i in rng.choice(len(names), size=size, p=p / p.sum())]


def generate_customers(
    spec: Mapping[str, Any], products: Sequence[Product], rep_ids: Sequence[str]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(customer tables, stock point tables) for `spec["customers"]` customers placed
    around `center` within `radius_km`, assigned to reps round-robin by angle (each rep
    a sector), each stocking a random subset of `products`.

    Raises ScenarioError for unknown keys or no products to stock.
    """
    unknown = set(spec) - _ALLOWED
    if unknown:
        raise ScenarioError(f"[generate]: unknown key(s) {sorted(unknown)}")
    if not products:
        raise ScenarioError("[generate]: needs at least one [[products]] entry to stock")
    rng = np.random.default_rng(int(spec.get("seed", 0)))
    n = int(spec.get("customers", 10))
    prefix = str(spec.get("id_prefix", "c"))
    lat0, lon0 = spec.get("center", (35.68, 139.76))
    radius = float(spec.get("radius_km", 20.0))
    kinds = _pick(rng, spec.get("kinds", {"shop": 1.0}), n)
    segments = _pick(rng, spec.get("segments", {"A": 0.2, "B": 0.3, "C": 0.5}), n)
    lo, hi = spec.get("products_per_customer", (1, min(4, len(products))))
    customers: list[dict[str, Any]] = []
    points: list[dict[str, Any]] = []
    width = len(str(n))
    for i in range(n):
        cid = f"{prefix}{i + 1:0{width}d}"
        angle = rng.uniform(0.0, 2.0 * math.pi)
        dist = radius * math.sqrt(rng.uniform())
        lat = lat0 + dist * math.cos(angle) / 111.0
        lon = lon0 + dist * math.sin(angle) / (111.0 * math.cos(math.radians(lat0)))
        rep = (
            rep_ids[int(angle / (2.0 * math.pi) * len(rep_ids)) % len(rep_ids)] if rep_ids else None
        )
        customer: dict[str, Any] = {
            "id": cid,
            "name": f"{kinds[i].title()} {i + 1}",
            "segment": segments[i],
            "kind": kinds[i],
            "location": [lat, lon],
            "visit_cadence_days": CADENCE_DAYS[segments[i]],
        }
        if rep is not None:
            customer["rep"] = rep
        customers.append(customer)
        count = int(rng.integers(lo, min(hi, len(products)) + 1))
        cover = _cover_days(rng, spec, segments[i])
        for j in rng.choice(len(products), size=count, replace=False):
            points.append(_point(rng, spec, cid, segments[i], products[int(j)], cover))
    return customers, points


def _cover_days(
    rng: np.random.Generator, spec: Mapping[str, Any], segment: str
) -> tuple[float, float]:
    """The range of days of demand a customer's storage holds, per stock point.

    With `cover_cadences = [lo, hi]` the storage is sized to the customer's visit habit:
    one factor per customer drawn from [lo, hi] times its cadence, each stock point
    within ±15% of it (a shop whose rep comes weekly keeps one to a few weeks of
    stock). Otherwise `days_of_cover = [lo, hi]` days, drawn per stock point.
    """
    if "cover_cadences" in spec:
        c_lo, c_hi = spec["cover_cadences"]
        days = CADENCE_DAYS[segment] * float(rng.uniform(c_lo, c_hi))
        return 0.85 * days, 1.15 * days
    lo, hi = spec.get("days_of_cover", (3.0, 10.0))
    return float(lo), float(hi)


def _point(
    rng: np.random.Generator,
    spec: Mapping[str, Any],
    cid: str,
    segment: str,
    product: Product,
    cover: tuple[float, float],
) -> dict[str, Any]:
    """One generated stock point; busier for A customers, quieter for C. Its capacity
    holds a number of days of its mean demand drawn from `cover`."""
    md_lo, md_hi = spec.get("mean_daily", (2.0, 30.0))
    cover_lo, cover_hi = cover
    bat_lo, bat_hi = spec.get("battery_per_day", (0.0, 0.0))
    every = float(spec.get("refill_every_days", 0.0))
    boost = {"A": 2.0, "B": 1.0, "C": 0.5}[segment]
    mean_daily = boost * math.exp(rng.uniform(math.log(md_lo), math.log(md_hi)))
    capacity = max(
        float(math.ceil(mean_daily * rng.uniform(cover_lo, cover_hi))), product.pack_size, 2.0
    )
    pattern = _pick(rng, spec.get("patterns", {"smooth": 1.0}), 1)[0]
    kind = _pick(rng, spec.get("sensor_kinds", {"shelf_count": 1.0}), 1)[0]
    if kind == "shelf_weight" and product.unit_weight_g is None:
        kind = "shelf_count"
    point: dict[str, Any] = {
        "customer": cid,
        "product": product.id,
        "capacity": capacity,
        "start_level": round(capacity * rng.uniform(0.5, 1.0)),
        "sensor": {
            "kind": kind,
            "interval_minutes": float(rng.choice(list(spec.get("interval_minutes", (60,))))),
            "battery_per_day": float(rng.uniform(bat_lo, bat_hi)),
        },
        "demand": {
            "pattern": pattern,
            "mean_daily": round(mean_daily, 2),
            "lot_size": product.pack_size,
            "dispersion": 0.3 if pattern == "smooth" else 0.0,
            "trend_per_week": float(rng.normal(0.0, float(spec.get("trend_per_week", 0.0)))),
            "promo_rate_per_month": float(spec.get("promo_rate_per_month", 0.0)),
        },
        "external": {"rate_per_month": float(spec.get("external_rate_per_month", 0.0))},
    }
    if every > 0:
        point["refill"] = {"every_days": every, "offset_days": float(rng.integers(0, int(every)))}
    return point
