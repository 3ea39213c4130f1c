"""Editing a draft on the page: quantities go in whole packs, so what a planner types
is always a quantity the supplier ships."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from restock.api.errors import Invalid
from restock.core.timefmt import quantity


@dataclass(frozen=True, slots=True, kw_only=True)
class EditableLine:
    stock_point_id: int
    product: str
    quantity: float
    pack_size: float
    moq: float
    capacity: float

    @property
    def packs(self) -> float:
        return self.quantity / self.pack_size

    @property
    def max_packs(self) -> int:
        return math.floor(self.capacity / self.pack_size + 1e-9)


def quantities_from_packs(
    packs: Mapping[int, str], lines: Mapping[int, EditableLine]
) -> dict[int, float]:
    """Stock point → new quantity for the lines whose pack count changed. Raises Invalid
    for a pack count that is not a whole number from 0 to what the shelf holds, or an
    order below the product's minimum (0 drops the line)."""
    out: dict[int, float] = {}
    for sp, text in packs.items():
        line = lines.get(sp)
        if line is None:
            raise Invalid(f"this order has no line for stock point {sp}")
        try:
            count = float(text.strip() or "nan")
        except ValueError:
            count = math.nan
        if not math.isfinite(count) or count < 0 or count != int(count):
            raise Invalid(f"{line.product}: packs must be a whole number, got {text!r}")
        if count > line.max_packs:
            raise Invalid(
                f"{line.product}: {int(count)} packs do not fit a shelf of"
                f" {quantity(line.capacity)} (at most {line.max_packs})"
            )
        qty = count * line.pack_size
        if 0 < qty < line.moq:
            raise Invalid(
                f"{line.product}: {quantity(qty)} is below the minimum order of"
                f" {quantity(line.moq)} (enter 0 to drop the line)"
            )
        if abs(qty - line.quantity) > 1e-9:
            out[sp] = qty
    return out
