"""The visit brief: why this visit, what to deliver, what to propose, what to find out,
and what to do next — each backed by the figures behind it (the route-sales articles'
訪問目的: 今日の訪問目的, 提案したい内容, 得たい情報, 次のアクション).

Pure: `build_brief(facts)` turns the facts about one customer on one day into a Brief.
The facts come from open triggers, orders to deliver, forecasts, the consumption trend
and the visit log (see brief_facts.py); the visit planner's own reasons ("why today")
are passed in as `why_today` and lead the purpose.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from restock.core.timefmt import local, local_date, local_day, quantity

# triggers that already say what a trend would (a larger shelf, a drop to ask about)
SPEAKS_FOR_TREND = frozenset({"shelf_too_small", "consumption_drop"})


@dataclass(frozen=True, slots=True, kw_only=True)
class ProductFacts:
    """One stock point: its forecast (None when never forecast), the consumption per day
    over the last week and over the weeks before (None when unknown), and its sensor."""

    stock_point_id: int
    product: str
    unit: str
    pack_size: float
    capacity: float
    level: float | None = None
    rate_per_hour: float | None = None
    stockout_p10: datetime | None = None
    stockout_p50: datetime | None = None
    stockout_p90: datetime | None = None
    recent_per_day: float | None = None
    baseline_per_day: float | None = None
    sensor_status: str | None = None
    battery: float | None = None
    last_reading_at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TriggerFacts:
    id: int
    purpose: str
    due_by: datetime
    detail: Mapping[str, Any] = field(default_factory=dict)
    stock_point_id: int | None = None
    order_id: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliveryFacts:
    order_id: int
    product: str
    unit: str
    pack_size: float
    quantity: float
    deliver_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class PastVisit:
    """The newest visit that left a next action."""

    at: datetime
    rep_id: str
    outcome: str
    notes: str
    next_action: str
    next_action_due: date | None


@dataclass(frozen=True, slots=True, kw_only=True)
class BriefFacts:
    """What is known about the customer on the day of the visit (`as_of`).
    trend_up / trend_down: recent use over the weeks before at or beyond which a product
    counts as trending up (a proposal) or dropping (a question to ask)."""

    customer_id: str
    customer_name: str
    segment: str
    time_zone: str
    as_of: datetime
    why_today: tuple[str, ...] = ()
    stop_purposes: tuple[str, ...] = ()
    cadence_days: int | None = None
    products: tuple[ProductFacts, ...] = ()
    triggers: tuple[TriggerFacts, ...] = ()
    deliveries: tuple[DeliveryFacts, ...] = ()
    last_next_action: PastVisit | None = None
    trend_up: float = 1.25
    trend_down: float = 0.6


@dataclass(frozen=True, slots=True, kw_only=True)
class BriefItem:
    """One statement and the figures behind it. kind: where it came from (a trigger
    purpose, 'delivery', 'trend_up', 'carried_over', ...); trigger_id when a trigger."""

    text: str
    figures: tuple[str, ...] = ()
    kind: str = ""
    trigger_id: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliveryLine:
    order_id: int
    product: str
    unit: str
    quantity: float
    packs: float
    pack_size: float


@dataclass(frozen=True, slots=True, kw_only=True)
class Brief:
    customer_id: str
    customer_name: str
    headline: str
    purpose: tuple[BriefItem, ...]
    deliver: tuple[DeliveryLine, ...]
    proposals: tuple[BriefItem, ...]
    information: tuple[BriefItem, ...]
    next_actions: tuple[BriefItem, ...]


def per_day(value: float | None, unit: str) -> str:
    return "—" if value is None else f"{quantity(round(value, 1))} {unit}/day"


def _stockout_figures(p: ProductFacts, tz: str) -> list[str]:
    out = []
    if p.level is not None:
        out.append(f"level {quantity(round(p.level, 1))} of {quantity(p.capacity)} {p.unit}")
    if p.rate_per_hour is not None:
        out.append(f"using {per_day(p.rate_per_hour * 24, p.unit)}")
    if p.stockout_p50 is not None:
        span = f"between {local(p.stockout_p10, tz)} and {local(p.stockout_p90, tz)}"
        out.append(
            f"runs out around {local(p.stockout_p50, tz)}"
            + (f" ({span})" if p.stockout_p10 and p.stockout_p90 else "")
        )
    return out


def _change(p: ProductFacts) -> float | None:
    if p.recent_per_day is None or not p.baseline_per_day or p.baseline_per_day <= 0:
        return None
    return p.recent_per_day / p.baseline_per_day


def _trend_figures(p: ProductFacts) -> tuple[str, ...]:
    return (
        f"{per_day(p.recent_per_day, p.unit)} over the last 7 days",
        f"{per_day(p.baseline_per_day, p.unit)} over the 3 weeks before",
    )


def _trigger_item(t: TriggerFacts, p: ProductFacts | None, tz: str) -> tuple[str, BriefItem] | None:
    """(section, item) for a trigger; None when another section covers it."""
    d = t.detail
    name = p.product if p else "one product"
    subject = name[:1].upper() + name[1:]
    unit = p.unit if p else ""
    due = f"due by {local(t.due_by, tz)}"
    if t.purpose == "stockout_risk":
        risk = _stockout_figures(p, tz) if p else []
        if "p_stockout" in d:
            before = datetime.fromisoformat(d["before"]) if d.get("before") else None
            chance = f"{float(d['p_stockout']):.0%}"
            risk.append(f"{chance} chance of running out before {local(before, tz)}")
        return "purpose", BriefItem(
            text=f"{subject} may run out before the next delivery: check the shelf and top up",
            figures=tuple(risk),
            kind=t.purpose,
            trigger_id=t.id,
        )
    if t.purpose == "shelf_too_small":
        shelf = (
            f"shelf holds {quantity(d.get('capacity'))} {unit}; room when an order could"
            f" arrive: {quantity(d.get('room_at_delivery'))}",
            f"one pack is {quantity(d.get('pack_size'))} (minimum order {quantity(d.get('moq'))})",
            f"{float(d.get('p_stockout', 0)):.0%} chance of running out meanwhile",
            due,
        )
        return "proposals", BriefItem(
            text=f"Propose a larger shelf for {name}: {quantity(d.get('capacity'))} →"
            f" {quantity(d.get('suggested_capacity'))} {unit}, so a full pack fits",
            figures=shelf,
            kind=t.purpose,
            trigger_id=t.id,
        )
    if t.purpose == "consumption_drop":
        rates = (
            f"{per_day(float(d.get('rate_per_hour', 0)) * 24, unit)} now",
            f"{per_day(float(d.get('baseline_rate_per_hour', 0)) * 24, unit)} usually",
        )
        return "proposals", BriefItem(
            text=f"Ask about the drop in {name}: a competitor, a menu or line change, a"
            " season? Offer what would win it back",
            figures=rates,
            kind=t.purpose,
            trigger_id=t.id,
        )
    if t.purpose == "unexplained_rise":
        return "information", BriefItem(
            text=f"Did they restock {name} from elsewhere? The level rose with no delivery",
            figures=(f"from {quantity(d.get('from'))} to {quantity(d.get('to'))} {unit}",),
            kind=t.purpose,
            trigger_id=t.id,
        )
    if t.purpose in ("sensor_offline", "sensor_bad_data"):
        seen = d.get("last_reading_at")
        last = datetime.fromisoformat(seen) if seen else None
        if t.purpose == "sensor_offline":
            text = f"The sensor on {name} is silent: check power and signal, note the level"
        else:
            text = (f"The sensor on {name} sends data restock cannot use: check"
                    f" {d.get('likely_cause', 'the sensor')}, note the level")  # fmt: skip
        figures = (str(d["summary"]),) if "summary" in d else ()
        return "purpose", BriefItem(
            text=text,
            figures=(*figures, f"last accepted reading {local(last, tz)}", due),
            kind=t.purpose,
            trigger_id=t.id,
        )
    if t.purpose == "battery_low":
        return "purpose", BriefItem(
            text=f"Replace the sensor battery on {name}",
            figures=(f"battery at {float(d.get('battery', 0)):.0%}", due),
            kind=t.purpose,
            trigger_id=t.id,
        )
    return None  # order_delivery: the deliveries say it


def _deliveries(facts: BriefFacts) -> tuple[list[DeliveryLine], list[BriefItem]]:
    lines = [
        DeliveryLine(
            order_id=d.order_id,
            product=d.product,
            unit=d.unit,
            quantity=d.quantity,
            packs=d.quantity / d.pack_size,
            pack_size=d.pack_size,
        )
        for d in facts.deliveries
    ]
    items = []
    for order_id in sorted({d.order_id for d in facts.deliveries}):
        mine = [d for d in facts.deliveries if d.order_id == order_id]
        items.append(
            BriefItem(
                text=f"Deliver order {order_id}",
                figures=(
                    f"{len(mine)} line{'s' if len(mine) > 1 else ''}: "
                    + ", ".join(f"{quantity(d.quantity)} {d.unit} {d.product}" for d in mine),
                    f"planned for {local(mine[0].deliver_at, facts.time_zone)}",
                ),
                kind="delivery",
            )
        )
    return lines, items


def _trend_proposals(facts: BriefFacts, covered: set[int]) -> list[BriefItem]:
    out = []
    for p in facts.products:
        change = _change(p)
        if change is None or p.stock_point_id in covered or change < facts.trend_up:
            continue
        days = p.capacity / p.recent_per_day if p.recent_per_day else None
        out.append(
            BriefItem(
                text=f"{p.product} is selling {change - 1:.0%} more than before: propose a"
                " larger standing order or more shelf space",
                figures=(
                    *_trend_figures(p),
                    f"a full shelf ({quantity(p.capacity)} {p.unit}) lasts"
                    f" {quantity(round(days, 1)) if days else '—'} days at this pace",
                ),
                kind="trend_up",
            )
        )
    return out


def _drop_questions(facts: BriefFacts, covered: set[int]) -> list[BriefItem]:
    out = []
    for p in facts.products:
        change = _change(p)
        if change is None or p.stock_point_id in covered or change > facts.trend_down:
            continue
        out.append(
            BriefItem(
                text=f"Ask about the drop in {p.product} ({1 - change:.0%} less): a"
                " competitor, a change of menu or line, a season?",
                figures=_trend_figures(p),
                kind="trend_down",
            )
        )
    return out


def _regular(facts: BriefFacts) -> BriefItem:
    if "cadence" in facts.stop_purposes:
        every = f"every {facts.cadence_days} days" if facts.cadence_days else "regular"
        return BriefItem(
            text=f"Regular visit ({facts.segment} customer, {every}): check shelves, listen"
            " for new needs",
            kind="cadence",
        )
    return BriefItem(text="No urgent reason: a relationship visit", kind="relationship")


def _next_actions(facts: BriefFacts, proposals: Sequence[BriefItem]) -> list[BriefItem]:
    tz = facts.time_zone
    out = []
    last = facts.last_next_action
    if last is not None:
        figures = [f"left on {local_date(last.at, tz)} by {last.rep_id}"]
        if last.next_action_due is not None:
            late = " — overdue" if last.next_action_due < local_day(facts.as_of, tz) else ""
            figures.append(f"due {local_date(last.next_action_due)}{late}")
        if last.notes:
            figures.append(f"notes: {last.notes[:200]}")
        out.append(
            BriefItem(
                text=f"From the last visit: {last.next_action}",
                figures=tuple(figures),
                kind="carried_over",
            )
        )
    if any(p.kind == "shelf_too_small" for p in proposals):
        out.append(
            BriefItem(text="Record the customer's answer to the shelf proposal", kind="proposal")
        )
    out.append(
        BriefItem(
            text="Before leaving: check out with the outcome, notes and the next step",
            kind="log",
        )
    )
    return out


def build_brief(facts: BriefFacts) -> Brief:
    """The brief for one visit (see the module docstring)."""
    tz = facts.time_zone
    by_point = {p.stock_point_id: p for p in facts.products}
    sections: dict[str, list[BriefItem]] = {"purpose": [], "proposals": [], "information": []}
    covered: set[int] = set()  # stock points a trigger already speaks for
    for t in sorted(facts.triggers, key=lambda t: (t.due_by, t.id)):
        found = _trigger_item(t, by_point.get(t.stock_point_id or -1), tz)
        if found is not None:
            sections[found[0]].append(found[1])
            if t.stock_point_id is not None and t.purpose in SPEAKS_FOR_TREND:
                covered.add(t.stock_point_id)
    deliver, delivery_items = _deliveries(facts)
    purpose = [BriefItem(text=w, kind="plan") for w in facts.why_today]
    purpose += delivery_items + sections["purpose"]
    if not purpose:
        purpose.append(_regular(facts))
    proposals = sections["proposals"] + _trend_proposals(facts, covered)
    proposals += _drop_questions(facts, covered)
    information = sections["information"] + [
        BriefItem(
            text=f"How much {p.product} is on the shelf (the sensor is offline)",
            kind="sensor_offline",
        )
        for p in facts.products
        if p.sensor_status == "offline"
        and not any(i.kind == "sensor_offline" for i in sections["purpose"])
    ]
    if not information:
        information.append(
            BriefItem(
                text="Anything new: plans, events, changes in what they sell or make", kind="listen"
            )
        )
    return Brief(
        customer_id=facts.customer_id,
        customer_name=facts.customer_name,
        headline=purpose[0].text,
        purpose=tuple(purpose),
        deliver=tuple(deliver),
        proposals=tuple(proposals),
        information=tuple(information),
        next_actions=tuple(_next_actions(facts, proposals)),
    )
