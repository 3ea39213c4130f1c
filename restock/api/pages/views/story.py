"""An order line's reasoning (order_lines.reasoning, written by the replenishment policy)
told in sentences a planner reads in seconds, times in the customer's zone."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from restock.core.timefmt import local, percent, quantity

WHY = {
    "due": "it is due: the chance of running out before the next possible delivery is"
    " above what the customer's segment allows",
    "consolidated": "it rides along with the customer's other lines: it would not last"
    " until the next trip",
    "pulled_forward": "it is pulled forward onto a visit already planned soon",
}


def _when(value: Any, zone: str) -> str:
    return local(datetime.fromisoformat(value), zone) if value else "—"


def _num(r: Mapping[str, Any], key: str) -> float | None:
    value = r.get(key)
    return None if value is None else float(value)


def line_story(r: Mapping[str, Any], *, unit: str, zone: str) -> list[str]:
    """Sentences for one line's reasoning `r` (missing keys are left out)."""
    out = []
    level, rate = _num(r, "level"), _num(r, "rate_per_hour")
    if level is not None:
        use = f", using about {quantity(round(rate * 24, 1))} {unit} a day" if rate else ""
        capacity = _num(r, "capacity")
        of = f" of {quantity(capacity)}" if capacity else ""
        out.append(
            f"{quantity(round(level, 1))}{of} {unit} on the shelf at {_when(r.get('as_of'), zone)}"
            f"{use}."
        )
    if r.get("stockout_p50"):
        span = ""
        if r.get("stockout_p10") and r.get("stockout_p90"):
            span = (
                f" (80% between {_when(r['stockout_p10'], zone)} and"
                f" {_when(r['stockout_p90'], zone)})"
            )
        out.append(f"Expected to run out around {_when(r['stockout_p50'], zone)}{span}.")
    elif level is not None:
        out.append("No stockout expected within the forecast horizon.")
    p, allowed = _num(r, "p_stockout"), _num(r, "risk_allowed")
    if p is not None:
        allowance = f"; the segment allows {percent(allowed)}" if allowed is not None else ""
        out.append(
            f"{percent(p)} chance of running out before the next possible delivery"
            f" ({_when(r.get('next_possible_delivery'), zone)}){allowance}."
        )
    if r.get("reason") in WHY:
        out.append(f"Ordered because {WHY[r['reason']]}.")
    if r.get("next_visit"):
        out.append(f"Next planned visit: {_when(r['next_visit'], zone)}.")
    expected, target = _num(r, "expected_at_delivery"), _num(r, "target")
    if expected is not None and target is not None:
        on_order = _num(r, "on_order") or 0.0
        already = f" (counting {quantity(on_order)} already on order)" if on_order else ""
        out.append(
            f"About {quantity(round(expected, 1))} {unit} expected at delivery"
            f" ({_when(r.get('deliver_at'), zone)}){already}; the order tops it up towards"
            f" {quantity(target)}."
        )
    pack, moq = _num(r, "pack_size"), _num(r, "moq")
    if pack:
        minimum = f", minimum order {quantity(moq)}" if moq else ""
        note = f": {r['rounding']}" if r.get("rounding") else ""
        out.append(f"Packs of {quantity(pack)}{minimum}{note}.")
    return out


def event_text(action: str, detail: Mapping[str, Any], products: Mapping[int, str]) -> str:
    """An order event in words: 'edited: Milk 1 L 48 → 36'."""
    if action == "edited":
        changes = [
            f"{products.get(int(c['stock_point_id']), c['stock_point_id'])}"
            f" {quantity(c['from'])} → {quantity(c['to'])}"
            for c in detail.get("lines", [])
        ]
        return "edited: " + ", ".join(changes)
    if action == "rejected":
        return f"rejected: {detail.get('reason') or 'no reason given'}"
    if action in ("drafted", "redrafted"):
        return f"{action}: {detail.get('lines', '?')} line(s), value {detail.get('value', 0):,.0f}"
    if action == "waiting":
        return f"left for a planner ({len(detail.get('reasons', []))} check(s) failed)"
    if action == "approved" and "rule_id" in detail:
        return f"approved by rule {detail['rule_id']}"
    return action
