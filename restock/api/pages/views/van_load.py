"""The van's load for the day: what the day's deliveries need, per product, in packs,
with whom each part is for — what a rep loads in the morning."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class Delivery:
    order_id: int
    customer: str
    product: str
    unit: str
    pack_size: float
    quantity: float


@dataclass(frozen=True, slots=True, kw_only=True)
class LoadLine:
    product: str
    unit: str
    quantity: float
    packs: float
    pack_size: float
    for_whom: tuple[str, ...]  # "Ginza Market: 24" in stop order


def van_load(deliveries: Sequence[Delivery]) -> list[LoadLine]:
    """Per product (first needed first), the quantity and packs to load."""
    grouped: dict[tuple[str, str, float], list[Delivery]] = {}
    for d in deliveries:
        grouped.setdefault((d.product, d.unit, d.pack_size), []).append(d)
    out = []
    for (product, unit, pack), parts in grouped.items():
        total = sum(d.quantity for d in parts)
        out.append(
            LoadLine(
                product=product,
                unit=unit,
                quantity=total,
                packs=total / pack,
                pack_size=pack,
                for_whom=tuple(f"{d.customer}: {d.quantity:g}" for d in parts),
            )
        )
    return out
