"""The visit brief, a pure function of the facts: purpose, delivery, proposals, questions
and next action, each with the figures behind it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np

from restock.replenish.visits.brief import (
    BriefFacts,
    DeliveryFacts,
    PastVisit,
    ProductFacts,
    TriggerFacts,
    build_brief,
)
from restock.replenish.visits.brief_facts import consumption_trend

NOW = datetime(2026, 11, 19, 22, 0, tzinfo=UTC)  # Fri 07:00 in Tokyo
MILK = ProductFacts(
    stock_point_id=1,
    product="Milk 1 L",
    unit="pcs",
    pack_size=12,
    capacity=60,
    level=9,
    rate_per_hour=0.6,
    stockout_p10=NOW + timedelta(hours=10),
    stockout_p50=NOW + timedelta(hours=15),
    stockout_p90=NOW + timedelta(hours=30),
    recent_per_day=14.0,
    baseline_per_day=10.0,
)
RICE = ProductFacts(
    stock_point_id=2,
    product="Rice 5 kg",
    unit="pcs",
    pack_size=4,
    capacity=8,
    level=3,
    rate_per_hour=0.05,
    recent_per_day=0.4,
    baseline_per_day=1.2,
)


def facts(**changes: object) -> BriefFacts:
    base = BriefFacts(
        customer_id="shop",
        customer_name="Ginza Market",
        segment="A",
        time_zone="Asia/Tokyo",
        as_of=NOW,
        products=(MILK, RICE),
        cadence_days=7,
    )
    return BriefFacts(**{**{f: getattr(base, f) for f in base.__slots__}, **changes})  # type: ignore[arg-type]


def test_the_purpose_comes_from_the_open_triggers_with_their_figures() -> None:
    risk = TriggerFacts(
        id=7,
        purpose="stockout_risk",
        due_by=NOW + timedelta(hours=10),
        stock_point_id=1,
        detail={"p_stockout": 0.83, "before": (NOW + timedelta(hours=27)).isoformat()},
    )
    brief = build_brief(facts(triggers=(risk,)))
    first = brief.purpose[0]
    assert first.text.startswith("Milk 1 L may run out") and first.trigger_id == 7
    assert first.figures == (
        "level 9 of 60 pcs",
        "using 14.4 pcs/day",
        "runs out around Fri 20 Nov 22:00 JST (between Fri 20 Nov 17:00 JST and Sat 21 Nov"
        " 13:00 JST)",
        "83% chance of running out before Sat 21 Nov 10:00 JST",
    )
    assert brief.headline == first.text


def test_deliveries_lead_and_are_listed_in_packs() -> None:
    milk = DeliveryFacts(
        order_id=12,
        product="Milk 1 L",
        unit="pcs",
        pack_size=12,
        quantity=36,
        deliver_at=NOW + timedelta(hours=3),
    )
    brief = build_brief(facts(deliveries=(milk,), why_today=("planned: A-customer week",)))
    assert [i.kind for i in brief.purpose[:2]] == ["plan", "delivery"]
    assert brief.purpose[1].text == "Deliver order 12"
    assert brief.purpose[1].figures[0] == "1 line: 36 pcs Milk 1 L"
    assert brief.deliver[0].packs == 3


def test_proposals_where_the_data_supports_one() -> None:
    shelf = TriggerFacts(
        id=3,
        purpose="shelf_too_small",
        due_by=NOW + timedelta(days=14),
        stock_point_id=2,
        detail={
            "capacity": 8,
            "room_at_delivery": 2.5,
            "pack_size": 4,
            "moq": 4,
            "p_stockout": 0.4,
            "suggested_capacity": 10,
        },
    )
    brief = build_brief(facts(triggers=(shelf,)))
    kinds = [p.kind for p in brief.proposals]
    # the shelf speaks for rice (no second proposal about its drop); milk is trending up
    assert kinds == ["shelf_too_small", "trend_up"]
    assert brief.proposals[0].text == (
        "Propose a larger shelf for Rice 5 kg: 8 → 10 pcs, so a full pack fits"
    )
    assert brief.proposals[1].text.startswith("Milk 1 L is selling 40% more than before")
    assert "14 pcs/day over the last 7 days" in brief.proposals[1].figures
    assert brief.next_actions[0].text == "Record the customer's answer to the shelf proposal"
    # with no shelf trigger, rice's drop is a question to ask
    plain = build_brief(facts())
    drop = next(p for p in plain.proposals if p.kind == "trend_down")
    assert drop.text.startswith("Ask about the drop in Rice 5 kg (67% less)")


def test_a_visit_with_no_reason_is_a_regular_one_and_listens() -> None:
    quiet = (
        ProductFacts(
            stock_point_id=1,
            product="Milk 1 L",
            unit="pcs",
            pack_size=12,
            capacity=60,
            recent_per_day=10.0,
            baseline_per_day=10.5,
        ),
    )
    brief = build_brief(facts(products=quiet, stop_purposes=("cadence",)))
    assert brief.purpose[0].text.startswith("Regular visit (A customer, every 7 days)")
    assert brief.proposals == ()
    assert brief.information[0].kind == "listen"


def test_the_last_visits_next_action_carries_over_and_says_when_late() -> None:
    last = PastVisit(
        at=NOW - timedelta(days=7),
        rep_id="rep-sato",
        outcome="Proposal made",
        notes="wants a bigger fridge",
        next_action="bring the fridge quote",
        next_action_due=date(2026, 11, 18),
    )
    brief = build_brief(facts(last_next_action=last))
    carried = brief.next_actions[0]
    assert carried.text == "From the last visit: bring the fridge quote"
    assert carried.figures == (
        "left on Fri 13 Nov by rep-sato",
        "due Wed 18 Nov — overdue",
        "notes: wants a bigger fridge",
    )


def test_consumption_trend_compares_the_last_week_with_the_weeks_before() -> None:
    end = NOW
    hours = np.arange(28 * 24)
    times = (end.timestamp() - (28 * 24 - hours) * 3600).astype(np.int64)
    rate = np.where(hours >= 21 * 24, 2.0, 1.0)  # per hour: doubled in the last week
    level = 5000 - np.cumsum(rate)
    recent, before = consumption_trend(times, level, end=end, time_zone="Asia/Tokyo")
    assert recent is not None and before is not None
    assert abs(recent - 48) < 2 and abs(before - 24) < 1
    assert consumption_trend(times[:3], level[:3], end=end, time_zone="Asia/Tokyo") == (None, None)
