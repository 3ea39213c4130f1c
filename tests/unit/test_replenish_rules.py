"""Auto-approve rules, trigger detection and delivery reconciliation (pure)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from restock.replenish.model import CustomerState, PointState
from restock.replenish.orders.auto_approve import DraftFacts, LineFacts, Rule, evaluate
from restock.replenish.orders.reconcile import ReconcileConfig, judge
from restock.replenish.triggers.detect import ApprovedOrder, Candidate, Signals, detect

AS_OF = datetime(2026, 9, 7, 6, tzinfo=UTC)
H = timedelta(hours=1)


def line(**kw: object) -> LineFacts:
    base: dict[str, object] = {
        "stock_point_id": 1,
        "product_id": "milk",
        "quantity": 36.0,
        "usual_quantity": 36.0,
        "stockout_p10": AS_OF + 30 * H,
        "stockout_p50": AS_OF + 40 * H,
        "stockout_p90": AS_OF + 50 * H,
        "sensor_status": "online",
        "battery": 0.8,
        "last_reading_at": AS_OF - H,
        "forecast_as_of": AS_OF,
    }
    base.update(kw)
    return LineFacts(**base)  # type: ignore[arg-type]


def draft(*lines: LineFacts, segment: str = "A", value: float = 5000) -> DraftFacts:
    return DraftFacts(customer_id="c1", segment=segment, value=value, lines=lines)


DEFAULT = Rule(id=1, name="default", max_value=10000, max_deviation=0.5, max_interval_ratio=1.0)


def test_a_draft_within_every_rule_is_approved_by_the_first_applicable_rule() -> None:
    verdict = evaluate(draft(line()), [DEFAULT], as_of=AS_OF)
    assert verdict.approved and verdict.approved_by == 1


def test_each_failing_check_is_named() -> None:
    bad = line(quantity=120, sensor_status="offline", stockout_p90=AS_OF + 300 * H)
    verdict = evaluate(draft(bad, value=20000), [DEFAULT], as_of=AS_OF)
    assert not verdict.approved
    text = " | ".join(verdict.failures)
    for expected in ("value 20,000 above 10,000", "outside ±50%", "interval too wide", "offline"):
        assert expected in text


def test_rules_scoped_to_another_segment_or_product_do_not_apply() -> None:
    b_only = Rule(id=2, name="B", segment="B")
    other_product = Rule(id=3, name="rice", product_id="rice", max_value=1)
    verdict = evaluate(draft(line()), [b_only, other_product], as_of=AS_OF)
    assert verdict.failures == ("no auto-approve rule applies",)


def test_a_silent_sensor_fails_the_health_check() -> None:
    verdict = evaluate(draft(line(last_reading_at=AS_OF - 10 * H)), [DEFAULT], as_of=AS_OF)
    assert any("no accepted reading in the last 6 h" in f for f in verdict.failures)


@dataclass(frozen=True)
class Certain:
    out_at: datetime

    def p_stockout_before(self, when: datetime) -> float:
        return 1.0 if when >= self.out_at else 0.0


def point(sp: int, *, out_in_h: float, on_order: float = 0.0, rate: float = 0.5) -> PointState:
    return PointState(
        stock_point_id=sp,
        customer_id="c1",
        product_id=f"p{sp}",
        capacity=100,
        level=40,
        rate_per_hour=rate,
        curve=Certain(AS_OF + out_in_h * H),
        on_order=on_order,
        on_order_arrival=AS_OF + 10 * H if on_order else None,
    )


def test_triggers_carry_purpose_due_by_and_priority() -> None:
    customers = {"c1": CustomerState(customer_id="c1", segment="A", rep_id="r1")}
    points = {1: point(1, out_in_h=20), 2: point(2, out_in_h=20, on_order=24, rate=0.1)}
    signals = Signals(
        status={1: "online", 2: "offline"},
        battery={1: 0.05, 2: 0.9},
        last_reading_at={1: AS_OF - H, 2: AS_OF - 30 * H},
        baseline_rate={2: 0.5},
        previous_level={1: 10.0},
    )
    found = detect(
        as_of=AS_OF,
        points=points,
        customers=customers,
        risk={1: 0.01, 2: 0.01},
        review_hours=24,
        signals=signals,
        approved=[
            ApprovedOrder(order_id=9, customer_id="c1", deliver_at=AS_OF + 24 * H, value=5000)
        ],
    )
    got = {(c.purpose, c.stock_point_id or c.order_id) for c in found}
    assert got == {
        ("stockout_risk", 1),  # nothing on order for 1
        ("battery_low", 1),
        ("unexplained_rise", 1),  # 10 → 40 with no delivery
        ("sensor_offline", 2),
        ("consumption_drop", 2),  # 0.1/h against a 0.5/h baseline
        ("order_delivery", 9),
    }
    risk = next(c for c in found if c.purpose == "stockout_risk")
    battery = next(c for c in found if c.purpose == "battery_low")
    assert risk.priority > battery.priority and risk.rep_id == "r1"
    assert len({c.cause for c in found}) == len(found)


def shelf(*, capacity: float, on_order: float = 0.0, out_in_h: float = 30) -> PointState:
    """48 of a 51-unit shelf, going at 6 a day, packs of 24 that take 48 h to arrive."""
    return replace(
        point(1, out_in_h=out_in_h, on_order=on_order, rate=0.25),
        capacity=capacity,
        level=48,
        pack_size=24,
        moq=24,
        lead_time_hours=48,
    )


def proposals(p: PointState, *, as_of: datetime = AS_OF) -> list[Candidate]:
    found = detect(
        as_of=as_of,
        points={1: p},
        customers={"c1": CustomerState(customer_id="c1", segment="A", rep_id="r1")},
        risk={1: 0.01},
        review_hours=24,
        signals=Signals(last_reading_at={1: as_of - H}),
    )
    return [c for c in found if c.purpose == "shelf_too_small"]


def test_a_shelf_at_risk_that_no_pack_fits_asks_for_a_larger_one() -> None:
    [proposal] = proposals(shelf(capacity=51))
    # 36 expected when an order placed now arrives: room for 15, not for a pack of 24
    assert proposal.detail["room_at_delivery"] == 15
    assert proposal.detail["suggested_capacity"] == 60
    assert proposal.detail["p_stockout"] == 1.0 and proposal.rep_id == "r1"
    assert proposal.due_by == AS_OF + timedelta(days=14)
    later = proposals(shelf(capacity=51), as_of=AS_OF + 10 * 24 * H)
    assert [c.cause for c in later] == [proposal.cause]  # one proposal a month


def test_no_proposal_when_a_pack_fits_an_order_is_coming_or_nothing_is_at_risk() -> None:
    assert proposals(shelf(capacity=60)) == []  # room for 24: an order is placed
    assert proposals(shelf(capacity=51, on_order=24)) == []
    assert proposals(shelf(capacity=51, out_in_h=200)) == []


def test_reconcile_flags_missing_and_wrong_sized_jumps() -> None:
    cfg = ReconcileConfig()
    assert judge(delivered=36, before=10, after=45, config=cfg) == "matched"
    assert judge(delivered=36, before=10, after=11, config=cfg) == "no_jump"
    assert judge(delivered=36, before=10, after=80, config=cfg) == "wrong_size"
