"""Replenishment policy: reorder decision, order-up-to, packs/MOQ/capacity, consolidation
and pull-forward onto a planned visit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from restock.replenish.model import CustomerState, PointState
from restock.replenish.orders.consolidate import plan_customer
from restock.replenish.policy import order_quantity, reorder_due
from restock.replenish.rounding import FIT_TOLERANCE, round_quantity
from restock.replenish.segments import ReplenishConfig, SegmentPolicy

AS_OF = datetime(2026, 9, 7, 6, tzinfo=UTC)


@dataclass(frozen=True)
class Linear:
    """Stockout time uniform between `start` and `end` hours after AS_OF."""

    start: float
    end: float

    def p_stockout_before(self, when: datetime) -> float:
        hours = (when - AS_OF).total_seconds() / 3600
        return min(max((hours - self.start) / (self.end - self.start), 0.0), 1.0)


def point(sp: int = 1, *, out_in: tuple[float, float], **kw: object) -> PointState:
    fields: dict[str, Any] = {
        "capacity": 60.0,
        "pack_size": 12.0,
        "moq": 12.0,
        "lead_time_hours": 24.0,
        "level": 30.0,
        "rate_per_hour": 0.5,
        "unit_cost": 100.0,
    }
    fields.update(kw)
    return PointState(
        stock_point_id=sp,
        customer_id="c1",
        product_id=f"p{sp}",
        curve=Linear(*out_in),
        **fields,
    )


def test_reorder_when_stockout_risk_before_next_possible_delivery_exceeds_segment_risk() -> None:
    # next possible delivery = review 24 h + lead 24 h = 48 h
    assert reorder_due(point(out_in=(40, 80)), as_of=AS_OF, risk=0.01, review_hours=24)
    assert not reorder_due(point(out_in=(60, 100)), as_of=AS_OF, risk=0.01, review_hours=24)


def test_an_order_on_its_way_counts_and_a_too_small_one_is_topped_up() -> None:
    arriving = AS_OF + timedelta(hours=20)
    alone = point(out_in=(30, 70))
    enough = point(out_in=(30, 70), on_order=36, on_order_arrival=arriving)
    too_small = point(out_in=(30, 70), on_order=6, on_order_arrival=arriving)
    assert reorder_due(alone, as_of=AS_OF, risk=0.01, review_hours=24)
    assert not reorder_due(enough, as_of=AS_OF, risk=0.01, review_hours=24)
    assert reorder_due(too_small, as_of=AS_OF, risk=0.01, review_hours=24)


def test_a_delivery_on_its_way_is_not_ordered_again_for_a_shortfall_before_it_lands() -> None:
    # out at 10–30 h; 48 units land at +20 h, before an order placed now (+24 h) could:
    # the shortfall before them is past helping, and after them the shelf lasts
    landing = point(out_in=(10, 30), on_order=48, on_order_arrival=AS_OF + timedelta(hours=20))
    assert not reorder_due(landing, as_of=AS_OF, risk=0.01, review_hours=24)
    # the same order landing at +40 h: one placed now arrives first, so it is due
    late = point(out_in=(10, 30), on_order=48, on_order_arrival=AS_OF + timedelta(hours=40))
    assert reorder_due(late, as_of=AS_OF, risk=0.01, review_hours=24)


def test_an_order_on_its_way_for_a_product_barely_moving_covers_the_whole_window() -> None:
    # 36 units at 1e-9/h would push the stockout back beyond any date: no overflow
    arriving = AS_OF + timedelta(hours=20)
    slow = point(out_in=(30, 70), rate_per_hour=1e-9, on_order=36, on_order_arrival=arriving)
    assert not reorder_due(slow, as_of=AS_OF, risk=0.01, review_hours=24)


def test_order_up_to_capacity_rounded_to_packs_and_capped() -> None:
    # 30 now, 0.5/h for 24 h → 18 expected; 42 needed → 4 packs = 48 > 42 free → 3 packs
    qty = order_quantity(point(out_in=(0, 1)), as_of=AS_OF, deliver_at=AS_OF + timedelta(hours=24))
    assert qty.expected_at_delivery == pytest.approx(18.0)
    assert qty.quantity == 36.0
    assert "free capacity" in qty.rounded.note


def test_per_stock_point_target_overrides_capacity() -> None:
    qty = order_quantity(
        point(out_in=(0, 1), target_level=40), as_of=AS_OF, deliver_at=AS_OF + timedelta(hours=24)
    )
    assert qty.quantity == 24.0  # 22 needed → 2 packs


def test_moq_raises_small_orders_and_nothing_when_moq_does_not_fit() -> None:
    assert round_quantity(needed=300, pack_size=500, moq=1000, room=5000).quantity == 1000
    nothing = round_quantity(needed=300, pack_size=500, moq=1000, room=900)
    assert nothing.quantity == 0
    assert "MOQ does not fit" in nothing.note


def test_a_pack_fits_a_shelf_whose_sensor_reads_a_hair_above_empty() -> None:
    assert round_quantity(needed=11.99, pack_size=12, moq=12, room=11.99).quantity == 12
    assert round_quantity(needed=11, pack_size=12, moq=12, room=11).quantity == 0


@given(
    needed=st.floats(0.1, 1e4),
    pack=st.floats(0.5, 500),
    moq=st.floats(0, 2000),
    room=st.floats(0, 1e4),
)
def test_rounded_quantity_is_whole_packs_at_least_moq_within_room(
    needed: float, pack: float, moq: float, room: float
) -> None:
    r = round_quantity(needed=needed, pack_size=pack, moq=moq, room=room)
    if r.quantity > 0:
        assert r.quantity <= room + FIT_TOLERANCE * pack + 1e-6
        assert r.quantity >= moq - 1e-6
        assert r.quantity == pytest.approx(r.packs * pack)


def test_due_lines_of_one_customer_are_consolidated_into_one_order() -> None:
    cfg = ReplenishConfig()
    (plan,) = plan_customer(
        CustomerState(customer_id="c1", segment="A"),
        [
            point(1, out_in=(30, 60)),  # due now
            point(2, out_in=(60, 140)),  # due within the consolidation window
            point(3, out_in=(900, 1000), level=55),  # weeks of stock: left alone
        ],
        as_of=AS_OF,
        config=cfg,
    )
    assert [(line.stock_point_id, line.reason) for line in plan.lines] == [
        (1, "due"),
        (2, "consolidated"),
    ]
    assert plan.deliver_at == AS_OF + timedelta(hours=24)
    why = plan.lines[0].reasoning
    assert why["p_stockout"] > why["risk_allowed"] == 0.01
    assert why["level"] == 30.0 and "pack" in why["rounding"]


def test_a_line_rides_along_only_if_it_could_not_last_until_the_next_trip() -> None:
    # line 1 is due: 36 arrive at +24 h, pushing its stockout back 72 h, so the next
    # trip is needed at about +102 h (its 1% quantile, 30.4 h, plus 72 h)
    (plan,) = plan_customer(
        CustomerState(customer_id="c1", segment="A"),
        [
            point(1, out_in=(30, 70)),
            point(2, out_in=(98, 200)),  # 5% at risk before that trip: rides
            point(3, out_in=(110, 200)),  # lasts until that trip: waits for it
        ],
        as_of=AS_OF,
        config=ReplenishConfig(),
    )
    assert [(line.stock_point_id, line.reason) for line in plan.lines] == [
        (1, "due"),
        (2, "consolidated"),
    ]


def test_the_next_trip_is_looked_for_at_most_consolidate_hours_ahead() -> None:
    (plan,) = plan_customer(
        CustomerState(customer_id="c1", segment="A"),
        [point(1, out_in=(30, 70)), point(2, out_in=(98, 200))],
        as_of=AS_OF,
        config=ReplenishConfig(consolidate_hours=48),  # trip looked for until +96 h
    )
    assert [line.stock_point_id for line in plan.lines] == [1]


def test_a_due_line_with_no_room_for_a_pack_calls_no_trip_for_the_others() -> None:
    # line 1 is at risk but 55 of 60 are on the shelf: a pack of 12 does not fit
    plan = plan_customer(
        CustomerState(customer_id="c1", segment="A"),
        [point(1, out_in=(30, 60), level=55, rate_per_hour=0.05), point(2, out_in=(100, 140))],
        as_of=AS_OF,
        config=ReplenishConfig(),
    )
    assert plan == ()


def test_a_mostly_full_line_at_risk_waits_unless_its_median_stockout_is_near() -> None:
    # 45 of 60 on the shelf, one pack fits: less than 35% of the target
    tail_only = point(1, out_in=(40, 600), level=45, rate_per_hour=0.05)  # P(48 h) 1.4%
    near = point(1, out_in=(40, 80), level=45, rate_per_hour=0.05,
                 stockout_p50=AS_OF + timedelta(hours=60))  # fmt: skip
    cfg = ReplenishConfig()
    assert cfg.min_order_fraction == 0.35
    customer = CustomerState(customer_id="c1", segment="A")
    assert plan_customer(customer, [tail_only], as_of=AS_OF, config=cfg) == ()
    (plan,) = plan_customer(customer, [near], as_of=AS_OF, config=cfg)
    assert plan.lines[0].quantity == 12.0
    topped_up = plan_customer(
        customer, [tail_only], as_of=AS_OF, config=ReplenishConfig(min_order_fraction=0.0)
    )
    assert len(topped_up) == 1


def test_segment_sets_the_risk_allowed() -> None:
    # P(stockout in 48 h) = 0.02: above A's 1 % risk, below C's 5 %
    curve = (47.0, 97.0)
    a = plan_customer(
        CustomerState(customer_id="c1", segment="A"),
        [point(out_in=curve)],
        as_of=AS_OF,
        config=ReplenishConfig(),
    )
    c = plan_customer(
        CustomerState(customer_id="c1", segment="C"),
        [point(out_in=curve)],
        as_of=AS_OF,
        config=ReplenishConfig(),
    )
    assert len(a) == 1 and c == ()


def test_due_line_rides_on_a_planned_visit_when_that_is_soon_enough() -> None:
    visit = AS_OF + timedelta(hours=40)
    (plan,) = plan_customer(
        CustomerState(customer_id="c1", segment="B", next_visit=visit),
        [point(out_in=(44, 200))],
        as_of=AS_OF,
        config=ReplenishConfig(),
    )
    assert plan.on_planned_visit and plan.deliver_at == visit


def test_line_due_soon_after_a_planned_visit_is_pulled_forward_onto_it() -> None:
    visit = AS_OF + timedelta(hours=30)
    cfg = ReplenishConfig(pull_forward_hours=72)
    (plan,) = plan_customer(
        CustomerState(customer_id="c1", segment="A", next_visit=visit),
        [point(out_in=(80, 120)), point(2, out_in=(600, 700))],
        as_of=AS_OF,
        config=cfg,
    )
    assert [(line.stock_point_id, line.reason) for line in plan.lines] == [(1, "pulled_forward")]
    assert plan.deliver_at == visit


def test_no_order_without_need_or_visit() -> None:
    plan = plan_customer(
        CustomerState(customer_id="c1", segment="A"),
        [point(out_in=(500, 600))],
        as_of=AS_OF,
        config=ReplenishConfig(),
    )
    assert plan == ()


def test_configured_segment_levels_are_validated() -> None:
    with pytest.raises(ValueError, match="service level"):
        SegmentPolicy(service_level=1.2, cadence_days=7)
    with pytest.raises(KeyError, match="'D'"):
        ReplenishConfig().segment("D")
