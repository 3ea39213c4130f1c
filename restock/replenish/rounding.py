"""Order quantities: pack rounding, minimum order quantity, capacity cap."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class Rounded:
    """quantity: what to order (0: nothing fits); needed: before rounding; packs: whole
    packs ordered; note: how rounding/MOQ/capacity changed the quantity."""

    quantity: float
    needed: float
    packs: int
    note: str


FIT_TOLERANCE = 0.05  # of a pack: the room is measured, and a sensor reading 0.01 on an
# empty shelf must not keep the last pack out of it forever


def round_quantity(*, needed: float, pack_size: float, moq: float, room: float) -> Rounded:
    """Round `needed` up to whole packs, at least `moq` (in whole packs), never above
    `room` (free capacity at delivery, within FIT_TOLERANCE of a pack): packs are
    removed until the order fits. When
    even the MOQ does not fit, the quantity is 0 and the note says so.
    Raises ValueError for a non-positive pack size.
    """
    if pack_size <= 0:
        raise ValueError(f"pack size must be positive, got {pack_size}")
    if needed <= 0:
        return Rounded(quantity=0.0, needed=needed, packs=0, note="nothing needed")
    eps = 1e-9
    packs = math.ceil(needed / pack_size - eps)
    notes = [f"{needed:g} rounded up to {packs} pack(s) of {pack_size:g}"]
    min_packs = math.ceil(moq / pack_size - eps) if moq > 0 else 0
    if packs < min_packs:
        packs = min_packs
        notes.append(f"raised to the MOQ of {moq:g}")
    max_packs = math.floor(max(room, 0.0) / pack_size + FIT_TOLERANCE)
    if packs > max_packs:
        packs = max_packs
        notes.append(f"cut to {max_packs} pack(s) to fit the free capacity of {room:g}")
    if packs < min_packs or packs == 0:
        return Rounded(
            quantity=0.0,
            needed=needed,
            packs=0,
            note="; ".join([*notes, "the MOQ does not fit: nothing ordered"]),
        )
    return Rounded(quantity=packs * pack_size, needed=needed, packs=packs, note="; ".join(notes))
