"""The planner's queue: drafts in the order they should be decided — the one whose first
line may run out soonest first — each with how old the data behind it is and why it
waits, in words (the failing rule, naming the product rather than the stock point)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from restock.core.timefmt import age, until

STALE_AFTER = timedelta(hours=6)  # the default rule's silence limit
SOON = timedelta(hours=72)
_STOCK_POINT = re.compile(r"stock point (\d+)")
_RULE = re.compile(r"^rule \d+ '([^']*)'[:,] ?")


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueLine:
    stock_point_id: int
    product: str
    unit: str
    quantity: float
    pack_size: float
    stockout_p10: datetime | None
    stockout_p50: datetime | None
    p_stockout: float | None
    last_reading_at: datetime | None


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueOrder:
    id: int
    customer_id: str
    customer_name: str
    segment: str
    rep_id: str | None
    rep_name: str | None
    time_zone: str
    deliver_at: datetime
    value: float
    waiting_reasons: tuple[str, ...]
    lines: tuple[QueueLine, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueItem:
    """urgency: 'now' (may run out before the delivery, or within a day), 'soon'
    (within three days) or 'later'; runs_out: the earliest P10 (else P50) stockout of
    its lines; data_age: age of the oldest line's newest reading."""

    order: QueueOrder
    urgency: str
    urgency_text: str
    runs_out: datetime | None
    data_age: timedelta | None
    data_age_text: str
    stale: bool
    why_waiting: tuple[str, ...]


def first_stockout(lines: Sequence[QueueLine]) -> datetime | None:
    times = [ln.stockout_p10 or ln.stockout_p50 for ln in lines]
    known = [t for t in times if t is not None]
    return min(known) if known else None


def why_waiting(reasons: Sequence[str], products: Mapping[int, str]) -> tuple[str, ...]:
    """The failed checks in words: 'stock point 12' becomes its product's name and the
    rule goes last by name ("Rice 5 kg: sensor offline — rule “default”"); repeats are
    dropped."""
    out: list[str] = []
    for reason in reasons:
        text = _STOCK_POINT.sub(lambda m: products.get(int(m[1]), m[0]), reason)
        rule = _RULE.match(text)
        if rule is not None:
            rest = text[rule.end() :]
            text = f"{rest[:1].upper()}{rest[1:]} — rule “{rule[1]}”"
        if text not in out:
            out.append(text)
    return tuple(out)


def rank(order: QueueOrder, now: datetime) -> QueueItem:
    runs_out = first_stockout(order.lines)
    if runs_out is None:
        urgency, text = "later", "no stockout in sight"
    else:
        if runs_out <= max(order.deliver_at, now + timedelta(hours=24)):
            urgency = "now"
        else:
            urgency = "soon" if runs_out <= now + SOON else "later"
        text = "may be empty now" if runs_out <= now else f"may run out {until(runs_out, now)}"
        if now < runs_out <= order.deliver_at:
            text += ", before the delivery"
    seen = [ln.last_reading_at for ln in order.lines]
    oldest = None if not seen or None in seen else min(t for t in seen if t is not None)
    data_age = None if oldest is None else now - oldest
    return QueueItem(
        order=order,
        urgency=urgency,
        urgency_text=text,
        runs_out=runs_out,
        data_age=data_age,
        data_age_text="no readings" if data_age is None else f"{age(data_age)} old",
        stale=data_age is None or data_age > STALE_AFTER,
        why_waiting=why_waiting(
            order.waiting_reasons, {ln.stock_point_id: ln.product for ln in order.lines}
        ),
    )


def ranked_queue(orders: Sequence[QueueOrder], now: datetime) -> list[QueueItem]:
    """The drafts, soonest possible stockout first; drafts with none in sight last, by
    delivery; ties by value, larger first."""
    items = [rank(o, now) for o in orders]
    far = datetime.max.replace(tzinfo=now.tzinfo)
    return sorted(
        items,
        key=lambda i: (
            i.runs_out is None,
            i.runs_out or far,
            i.order.deliver_at,
            -i.order.value,
            i.order.id,
        ),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueSummary:
    drafts: int
    urgent: int
    stale: int
    value: float


def summarize(items: Sequence[QueueItem]) -> QueueSummary:
    return QueueSummary(
        drafts=len(items),
        urgent=sum(i.urgency == "now" for i in items),
        stale=sum(i.stale for i in items),
        value=sum(i.order.value for i in items),
    )
