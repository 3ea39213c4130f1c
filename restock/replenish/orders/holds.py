"""A planner's rejection is a decision the next runs respect: a held stock point is not
drafted again for the same need until something material changes. Pure."""

from __future__ import annotations

from restock.replenish.model import Hold, PointState

LEVEL_DROP_OF_CAPACITY = 0.1  # a fall of this share of the shelf (or a pack) is material
RISK_RISE = 2.0  # a risk this many times the one the planner saw is material ...
RISK_RISE_AT_LEAST = 0.05  # ... and at least this much higher


def material_change(hold: Hold, point: PointState, p_stockout: float) -> str | None:
    """Why the rejection no longer stands (the level dropped, or the risk of running
    out before the next possible delivery rose well past the one the planner saw), or
    None while it stands."""
    drop = max(point.pack_size, LEVEL_DROP_OF_CAPACITY * point.capacity)
    if point.level <= hold.level - drop:
        return f"level fell from {hold.level:g} to {point.level:g} since the rejection"
    higher = min(1.0, max(RISK_RISE * hold.p_stockout, hold.p_stockout + RISK_RISE_AT_LEAST))
    if p_stockout >= higher:
        return f"stockout risk rose from {hold.p_stockout:.1%} to {p_stockout:.1%}"
    return None
