"""Auto-approve rules: which drafts approve themselves, and why the others wait.

Pure: `evaluate` judges one draft against the rules that apply to it. A draft is
approved by rule only when at least one rule applies and every check of every
applicable rule passes; otherwise it waits for a planner with each failure named.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True, kw_only=True)
class Rule:
    """A planner's rule. Scope: segment / customer / product (None = any). Checks (None =
    not checked): max_value of the whole order; max_deviation, how far a line's quantity
    may be from its usual quantity (0.5 = ±50 %); max_interval_ratio, the stockout
    P10–P90 width over the time from the forecast to P50 (twice P10–P50 when P90 is
    beyond the horizon); require_healthy_sensor with min_battery and max_silence_hours
    (since the sensor's newest ACCEPTED reading: rejected messages are no sign of life)."""

    id: int
    name: str
    segment: str | None = None
    customer_id: str | None = None
    product_id: str | None = None
    max_value: float | None = None
    max_deviation: float | None = None
    max_interval_ratio: float | None = None
    require_healthy_sensor: bool = True
    min_battery: float = 0.15
    max_silence_hours: float = 6.0
    enabled: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class LineFacts:
    """What the rules look at for one line. rejected_recent: the sensor's messages
    rejected since its newest accepted reading."""

    stock_point_id: int
    product_id: str
    quantity: float
    usual_quantity: float | None
    forecast_as_of: datetime | None
    stockout_p10: datetime | None
    stockout_p50: datetime | None
    stockout_p90: datetime | None
    sensor_status: str | None
    battery: float | None
    last_reading_at: datetime | None
    rejected_recent: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class DraftFacts:
    customer_id: str
    segment: str
    value: float
    lines: tuple[LineFacts, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Verdict:
    """approved_by: the id of the first applicable rule when approved, else None;
    failures: one sentence per failed check, naming the rule."""

    approved_by: int | None
    failures: tuple[str, ...]

    @property
    def approved(self) -> bool:
        return self.approved_by is not None


def applies(rule: Rule, draft: DraftFacts) -> bool:
    """A rule applies when enabled and its segment/customer/product scope matches (a
    product-scoped rule applies when the draft holds that product)."""
    return (
        rule.enabled
        and rule.segment in (None, draft.segment)
        and rule.customer_id in (None, draft.customer_id)
        and (rule.product_id is None or any(ln.product_id == rule.product_id for ln in draft.lines))
    )


def _line_failures(rule: Rule, line: LineFacts, as_of: datetime) -> list[str]:
    tag = f"rule {rule.id} {rule.name!r}, stock point {line.stock_point_id}"
    out: list[str] = []
    if rule.max_deviation is not None and line.usual_quantity is not None:
        usual = line.usual_quantity
        if usual > 0 and abs(line.quantity - usual) > rule.max_deviation * usual:
            out.append(
                f"{tag}: quantity {line.quantity:g} is outside ±{rule.max_deviation:.0%}"
                f" of the usual {usual:g}"
            )
    if (
        rule.max_interval_ratio is not None
        and line.stockout_p10 is not None
        and line.stockout_p50 is not None
    ):
        # from the forecast, not the clock: the verdict is the same whenever it is asked
        origin = line.forecast_as_of or as_of
        to_p50 = max((line.stockout_p50 - origin).total_seconds(), 3600.0)
        if line.stockout_p90 is None:  # beyond the horizon: judge by the early half
            width = 2 * (line.stockout_p50 - line.stockout_p10).total_seconds()
        else:
            width = (line.stockout_p90 - line.stockout_p10).total_seconds()
        if width / to_p50 > rule.max_interval_ratio:
            out.append(
                f"{tag}: forecast interval too wide"
                f" ({width / to_p50:.2f} > {rule.max_interval_ratio:g})"
            )
    if rule.require_healthy_sensor:
        if line.sensor_status == "offline":
            out.append(f"{tag}: sensor offline")
        if line.battery is not None and line.battery < rule.min_battery:
            out.append(f"{tag}: sensor battery {line.battery:.0%} below {rule.min_battery:.0%}")
        silence = timedelta(hours=rule.max_silence_hours)
        if line.last_reading_at is None or as_of - line.last_reading_at > silence:
            bad = f" ({line.rejected_recent} message(s) rejected)" if line.rejected_recent else ""
            out.append(f"{tag}: no accepted reading in the last {rule.max_silence_hours:g} h{bad}")
    return out


def evaluate(draft: DraftFacts, rules: Sequence[Rule], *, as_of: datetime) -> Verdict:
    """Judge `draft` at `as_of` against `rules` (see the module docstring)."""
    applicable = [r for r in rules if applies(r, draft)]
    if not applicable:
        return Verdict(approved_by=None, failures=("no auto-approve rule applies",))
    failures: list[str] = []
    for rule in applicable:
        if rule.max_value is not None and draft.value > rule.max_value:
            failures.append(
                f"rule {rule.id} {rule.name!r}: order value {draft.value:,.0f}"
                f" above {rule.max_value:,.0f}"
            )
        for line in draft.lines:
            if rule.product_id in (None, line.product_id):
                failures.extend(_line_failures(rule, line, as_of))
    if failures:
        return Verdict(approved_by=None, failures=tuple(failures))
    return Verdict(approved_by=applicable[0].id, failures=())
