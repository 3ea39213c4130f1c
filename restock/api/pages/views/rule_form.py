"""Auto-approve rules on a page: a rule's form read into the values replenishment's
rules functions take, and a rule said in one sentence."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from restock.api.errors import Invalid
from restock.core.timefmt import money
from restock.replenish.orders.auto_approve import Rule

NUMBERS = ("max_value", "max_deviation", "max_interval_ratio", "min_battery", "max_silence_hours")
LABELS = {
    "max_value": "largest order value",
    "max_deviation": "largest deviation from the usual quantity (0.5 = ±50%)",
    "max_interval_ratio": "widest forecast interval (P10–P90 over time to P50)",
    "min_battery": "lowest sensor battery (0–1)",
    "max_silence_hours": "longest silence of a sensor (hours)",
}
REQUIRED = ("min_battery", "max_silence_hours")


def _number(name: str, text: str) -> float | None:
    text = text.strip().replace(",", "")
    if not text:
        if name in REQUIRED:
            raise Invalid(f"{LABELS[name]} is required")
        return None
    try:
        value = float(text)
    except ValueError as exc:
        raise Invalid(f"{LABELS[name]}: {text!r} is not a number") from exc
    if not math.isfinite(value) or value < 0:
        raise Invalid(f"{LABELS[name]}: must be a number from 0 up")
    return value


def rule_values(get: Callable[[str], str], *, checked: Callable[[str], bool]) -> dict[str, Any]:
    """The rule's fields from a form (`get` a field's text, `checked` a checkbox).
    Raises Invalid naming the field."""
    values: dict[str, Any] = {name: _number(name, get(name)) for name in NUMBERS}
    for scope in ("segment", "customer_id", "product_id"):
        values[scope] = get(scope).strip() or None
    values["name"] = get("name").strip()
    values["require_healthy_sensor"] = checked("require_healthy_sensor")
    values["enabled"] = checked("enabled")
    return values


def rule_sentence(rule: Rule) -> str:
    """'Approves drafts of segment B customers up to 200,000, ...' ."""
    scope = []
    if rule.segment:
        scope.append(f"of segment {rule.segment} customers")
    if rule.customer_id:
        scope.append(f"for customer {rule.customer_id}")
    if rule.product_id:
        scope.append(f"holding {rule.product_id}")
    checks = []
    if rule.max_value is not None:
        checks.append(f"worth at most {money(rule.max_value)}")
    if rule.max_deviation is not None:
        checks.append(f"each line within ±{rule.max_deviation:.0%} of its usual quantity")
    if rule.max_interval_ratio is not None:
        checks.append(f"a forecast interval no wider than {rule.max_interval_ratio:g}× the time"
                      " to the median stockout")  # fmt: skip
    if rule.require_healthy_sensor:
        checks.append(
            f"sensors online, battery at least {rule.min_battery:.0%} and heard from in the"
            f" last {rule.max_silence_hours:g} h"
        )
    what = " ".join(["Approves drafts", *scope]) if scope else "Approves any draft"
    state = "" if rule.enabled else " (switched off)"
    return f"{what}{': ' + '; '.join(checks) if checks else ''}{state}."
