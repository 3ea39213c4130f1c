"""The lifecycle of orders, visits and triggers, and the pure rules around it (no
database): transitions, cascades, planner edits, standing rejections, working days."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from restock.core.settings import Settings
from restock.replenish.errors import InvalidTransition
from restock.replenish.lifecycle import (
    TRANSITIONS,
    Entity,
    OrderStatus,
    TriggerStatus,
    VisitStatus,
    actions,
    cascade,
    done,
    move,
)
from restock.replenish.model import Hold, PointState
from restock.replenish.orders.approval import LineEdit, rounded_edit
from restock.replenish.orders.holds import material_change
from restock.replenish.orders.queries import LineLimits
from restock.replenish.segments import ReplenishConfig
from restock.replenish.visits.workdays import WorkWeek

NOW = datetime(2026, 12, 4, 1, tzinfo=UTC)  # Friday 10:00 in Tokyo


def test_every_status_of_the_database_is_a_lifecycle_state_and_every_move_lands_on_one() -> None:
    states = {Entity.order: OrderStatus, Entity.visit: VisitStatus, Entity.trigger: TriggerStatus}
    for (entity, status, _), to in TRANSITIONS.items():
        assert status in set(states[entity]) and to in set(states[entity])


def test_closed_states_allow_nothing() -> None:
    for status in (OrderStatus.delivered, OrderStatus.rejected, OrderStatus.cancelled):
        assert actions(Entity.order, status) == ()
    for vstatus in (VisitStatus.done, VisitStatus.cancelled, VisitStatus.missed):
        assert actions(Entity.visit, vstatus) == ()
    for tstatus in (TriggerStatus.completed, TriggerStatus.cancelled):
        assert actions(Entity.trigger, tstatus) == ()


def test_a_draft_is_rejected_an_order_on_its_way_is_cancelled() -> None:
    assert move(Entity.order, 7, OrderStatus.draft, "reject") == OrderStatus.rejected
    assert move(Entity.order, 7, OrderStatus.sent, "cancel") == OrderStatus.cancelled
    with pytest.raises(InvalidTransition, match="order 7 is approved: cannot reject it"):
        move(Entity.order, 7, OrderStatus.approved, "reject")
    with pytest.raises(InvalidTransition, match="order 7 is draft: cannot deliver it"):
        move(Entity.order, 7, OrderStatus.draft, "deliver")


def test_an_order_closing_takes_its_visit_and_triggers_along() -> None:
    for action in ("reject", "cancel", "withdraw"):
        effect = cascade(action)
        assert (effect.visit, effect.triggers) == ("cancel", "cancel")
    delivered = cascade("deliver")
    assert (delivered.visit, delivered.triggers) == ("make", "complete")
    assert cascade("approve").visit is None and cascade("edit").triggers is None
    for action in ("cancel", "make", "complete"):  # every cascaded move exists
        assert any(a == action for (_, _, a) in TRANSITIONS)


def test_the_audit_trail_names_what_was_done() -> None:
    assert done("approve") == "approved" and done("withdraw") == "withdrawn"
    assert done("delivery_mismatch") == "delivery_mismatch"


BOLTS = LineLimits(stock_point_id=3, pack_size=500, moq=1000, capacity=5000)


def test_an_edit_is_rounded_to_packs_and_the_moq_and_capped_by_the_capacity() -> None:
    assert rounded_edit(BOLTS, LineEdit(quantity=3)) == (1000, "3 rounded to 1000 (2 pack(s) of"
                                                         " 500, MOQ 1000)")  # fmt: skip
    assert rounded_edit(BOLTS, LineEdit(quantity=4100))[0] == 4500
    assert rounded_edit(BOLTS, LineEdit(quantity=1500)) == (1500, "")
    assert rounded_edit(BOLTS, LineEdit(quantity=0)) == (0, "")
    with pytest.raises(ValueError, match="above the 5000"):
        rounded_edit(BOLTS, LineEdit(quantity=5200))
    with pytest.raises(ValueError, match="not a non-negative"):
        rounded_edit(BOLTS, LineEdit(quantity=-1))


def test_an_override_keeps_what_the_planner_typed() -> None:
    assert rounded_edit(BOLTS, LineEdit(quantity=4100, override=True)) == (4100, "")
    assert rounded_edit(BOLTS, LineEdit(quantity=7000, override=True)) == (7000, "")
    tiny = LineLimits(stock_point_id=1, pack_size=24, moq=48, capacity=40)
    with pytest.raises(ValueError, match="MOQ 48 does not fit"):
        rounded_edit(tiny, LineEdit(quantity=10))
    assert rounded_edit(tiny, LineEdit(quantity=10, override=True)) == (10, "")


class Never:
    def p_stockout_before(self, when: datetime) -> float:
        return 0.0


def point(level: float) -> PointState:
    return PointState(stock_point_id=1, customer_id="c", product_id="p", capacity=100,
                      pack_size=12, level=level, rate_per_hour=1, curve=Never())  # fmt: skip


HOLD = Hold(stock_point_id=1, order_id=9, at=NOW, actor="sato", reason="customer closed",
            level=60, p_stockout=0.02)  # fmt: skip


def test_a_rejection_stands_until_the_level_drops_or_the_risk_rises_well_past_it() -> None:
    assert material_change(HOLD, point(55), 0.03) is None
    assert material_change(HOLD, point(49), 0.03) is None  # less than a pack (12) gone
    assert material_change(HOLD, point(48), 0.03) == "level fell from 60 to 48 since the rejection"
    assert material_change(HOLD, point(60), 0.069) is None
    assert "rose from 2.0% to 7.0%" in (material_change(HOLD, point(60), 0.07) or "")


def test_a_delivery_slot_is_never_on_a_day_off_nor_after_hours() -> None:
    week = WorkWeek(days=frozenset({1, 2, 3, 4, 5}), start=time(9), end=time(18))
    tokyo = week.zone
    friday_evening = datetime(2026, 12, 4, 17, 50, tzinfo=tokyo)
    assert week.first_slot(friday_evening, service_minutes=15) == datetime(
        2026, 12, 7, 9, tzinfo=tokyo
    )  # Monday
    assert week.first_slot(datetime(2026, 12, 5, 3, tzinfo=tokyo)) == datetime(
        2026, 12, 7, 9, tzinfo=tokyo
    )
    tuesday = datetime(2026, 12, 8, 11, tzinfo=tokyo)
    assert week.first_slot(tuesday) == tuesday
    assert not week.works_on(date(2026, 12, 6))
    assert "Sunday" in week.describe_day_off(date(2026, 12, 6))
    with pytest.raises(ValueError, match="ISO weekdays"):
        WorkWeek(days=frozenset({0}))
    saturday_shop = WorkWeek(days=frozenset({6}))
    assert saturday_shop.first_slot(friday_evening).date() == date(2026, 12, 5)
    assert week.first_slot(friday_evening + timedelta(days=3)).tzinfo is not None


def test_segments_come_from_settings_not_from_code() -> None:
    settings = Settings(
        replenish_service_levels={"gold": 0.99, "std": 0.95},
        replenish_cadence_days={"gold": 7, "std": 60},
        replenish_cadence_segments=["gold"],
        replenish_segment_priority={"gold": 40},
    )
    cfg = ReplenishConfig.from_settings(settings)
    assert cfg.segment("gold").keeps_cadence and not cfg.segment("std").keeps_cadence
    assert (cfg.segment("gold").priority, cfg.segment("std").priority) == (40, 0)
    with pytest.raises(ValueError, match="'B'"):
        ReplenishConfig.from_settings(
            Settings(
                replenish_service_levels={"A": 0.99},
                replenish_cadence_days={"A": 7},
                replenish_cadence_segments=["B"],
            )
        )
