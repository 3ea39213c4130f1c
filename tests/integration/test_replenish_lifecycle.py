"""The order → visit → trigger → delivery → next-forecast cycle on a real PostgreSQL:
one regression test per defect a planner or rep hit in the first week (issue 13)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import psycopg
import pytest

from restock.replenish.errors import NotAllowedYet, RepDayOff
from restock.replenish.job import run_replenish_job
from restock.replenish.lifecycle import OrderStatus, TriggerStatus, VisitStatus
from restock.replenish.orders.approval import (
    LineEdit,
    approve_order,
    cancel_order,
    edit_order,
    get_order,
    list_orders,
    mark_delivered,
    reject_order,
    release,
)
from restock.replenish.orders.drafts import rejudge
from restock.replenish.triggers.dispatch import dispatch_triggers
from restock.replenish.triggers.service import complete_trigger, list_triggers
from restock.replenish.visits import queries as vq
from restock.replenish.visits.routes import build_route
from tests.integration.test_replenish_job import AS_OF, add_forecast, setup_world

Conn = psycopg.Connection[Any]


def no_rule(db: Conn) -> None:
    db.execute("UPDATE auto_approve_rules SET enabled = false")


def draft_for_milk(db: Conn, *, level: float = 30) -> tuple[dict[str, int], int]:
    """The shop's milk running out within two days; the draft waits for a planner."""
    ids = setup_world(db)
    no_rule(db)
    add_forecast(db, ids["milk"], as_of=AS_OF, level=level, rate=0.5, out_in=(30, 70))
    run_replenish_job(db, as_of=AS_OF)
    [order] = list_orders(db, status="draft")
    return ids, order.id


def test_1_a_sensor_sending_only_bad_data_is_not_auto_approved_and_raises_a_trigger(
    db: Conn,
) -> None:
    ids = setup_world(db)
    silent_since = AS_OF - timedelta(days=11)
    db.execute(
        "UPDATE sensors SET last_reading_at = %s, last_seen = %s WHERE id = 's-milk'",
        (silent_since, AS_OF - timedelta(minutes=5)),  # heard from, nothing accepted
    )
    for i in range(263):
        db.execute(
            "INSERT INTO rejected_messages (received_at, topic, payload, reason, detail,"
            " sensor_id) VALUES (%s, 'restock/v1/sensors/s-milk/level', %s, 'negative_value',"
            " 'value -3 is negative', 's-milk')",
            (AS_OF - timedelta(minutes=i), f'{{"n": {i}}}'.encode()),
        )
    add_forecast(db, ids["milk"], as_of=AS_OF, level=30, rate=0.5, out_in=(30, 70))
    summary = run_replenish_job(db, as_of=AS_OF)
    assert summary.approved == 0 and summary.waiting == 1
    [order] = list_orders(db)
    assert order.status == OrderStatus.draft
    assert any("no accepted reading in the last 6 h" in r for r in order.waiting_reasons)
    bad = [t for t in list_triggers(db, rep_id="r1") if t.purpose == "sensor_bad_data"]
    assert len(bad) == 1 and bad[0].stock_point_id == ids["milk"]
    assert "263 negative value" in bad[0].detail["summary"]
    assert bad[0].detail["likely_cause"] == "tare/calibration"
    assert not [t for t in list_triggers(db) if t.purpose == "sensor_offline"]


def test_2_a_delivered_order_is_not_drafted_again_before_the_sensors_show_it(db: Conn) -> None:
    ids, order_id = draft_for_milk(db)
    approve_order(db, order_id, actor="sato", at=AS_OF + timedelta(minutes=5))
    mark_delivered(db, order_id, actor="sato", at=AS_OF + timedelta(hours=20))
    later = AS_OF + timedelta(hours=21)  # the forecast still predates the delivery
    add_forecast(db, ids["milk"], as_of=later, level=20, rate=0.5, out_in=(10, 40))
    db.execute(
        "UPDATE forecasts SET history_end = %s WHERE as_of = %s",
        (AS_OF + timedelta(hours=19), later),
    )
    assert run_replenish_job(db, as_of=later).drafted == 0
    assert [o.status for o in list_orders(db)] == [OrderStatus.delivered]
    seen = AS_OF + timedelta(hours=26)  # the jump is in the readings now, the shelf low again
    add_forecast(db, ids["milk"], as_of=seen, level=20, rate=0.5, out_in=(10, 40))
    assert run_replenish_job(db, as_of=seen).drafted == 1


def test_3_a_rejection_holds_until_something_material_changes_and_is_shown_beside_a_new_draft(
    db: Conn,
) -> None:
    ids, order_id = draft_for_milk(db)
    rejected = reject_order(db, order_id, actor="sato", at=AS_OF, reason="shop closed for works")
    assert rejected.status == OrderStatus.rejected
    assert rejected.closed_reason == "shop closed for works"
    for hours in (1, 2, 3):  # the same need: not drafted again, run after run
        at = AS_OF + timedelta(hours=hours)
        add_forecast(db, ids["milk"], as_of=at, level=29, rate=0.5, out_in=(30, 70))
        summary = run_replenish_job(db, as_of=at)
        assert (summary.drafted, summary.held) == (0, 1)
    dropped = AS_OF + timedelta(hours=4)  # 13 gone: more than a pack of 12
    add_forecast(db, ids["milk"], as_of=dropped, level=17, rate=0.5, out_in=(20, 40))
    assert run_replenish_job(db, as_of=dropped).drafted == 1
    [new] = list_orders(db, status="draft")
    [earlier] = new.earlier_rejections
    assert (earlier.order_id, earlier.reason, earlier.actor) == (
        order_id,
        "shop closed for works",
        "sato",
    )


def test_3_a_planner_releases_a_rejection(db: Conn) -> None:
    ids, order_id = draft_for_milk(db)
    reject_order(db, order_id, actor="sato", at=AS_OF, reason="wrong shelf")
    assert release(db, ids["milk"], actor="sato", at=AS_OF + timedelta(minutes=5))
    assert not release(db, ids["milk"], actor="sato", at=AS_OF + timedelta(minutes=6))
    at = AS_OF + timedelta(hours=1)
    add_forecast(db, ids["milk"], as_of=at, level=29, rate=0.5, out_in=(30, 70))
    assert run_replenish_job(db, as_of=at).drafted == 1


def order_with_delivery_trigger(db: Conn) -> tuple[dict[str, int], int]:
    ids, order_id = draft_for_milk(db)
    approve_order(db, order_id, actor="sato", at=AS_OF + timedelta(minutes=5))
    run_replenish_job(db, as_of=AS_OF + timedelta(minutes=10))  # raises the delivery trigger
    [trigger] = [t for t in list_triggers(db) if t.purpose == "order_delivery"]
    assert trigger.order_id == order_id
    return ids, order_id


def test_4_cancelling_an_order_cancels_its_visit_and_trigger_and_tells_the_rep(
    db: Conn,
) -> None:
    _, order_id = order_with_delivery_trigger(db)

    class Sink:
        def __init__(self) -> None:
            self.sent: list[bytes] = []

        def publish(self, topic: str, payload: bytes) -> None:
            self.sent.append(payload)

    sink = Sink()
    dispatch_triggers(db, sink, at=AS_OF + timedelta(minutes=11))
    order = cancel_order(db, order_id, actor="sato", at=AS_OF + timedelta(hours=1),
                         reason="customer cancelled")  # fmt: skip
    assert order.status == OrderStatus.cancelled
    [trigger] = [t for t in list_triggers(db, statuses=("cancelled",))
                 if t.purpose == "order_delivery"]  # fmt: skip
    assert trigger.status == TriggerStatus.cancelled
    assert trigger.cancel_reason == f"order {order_id} cancelled: customer cancelled"
    assert order.visit_id is not None
    visit = vq.visit(db, order.visit_id)
    assert visit is not None and visit.status == VisitStatus.cancelled
    assert dispatch_triggers(db, sink, at=AS_OF + timedelta(hours=2)) == 1  # the cancellation
    assert b'"status":"cancelled"' in sink.sent[-1] and b'"order_delivery"' in sink.sent[-1]
    route = build_route(db, "r1", visit.day, as_of=AS_OF + timedelta(hours=2), max_runtime_s=0.1)
    assert all("delivery" not in s.purposes for s in route.stops)


def test_4_delivering_an_order_completes_its_trigger_and_makes_its_visit(db: Conn) -> None:
    _, order_id = order_with_delivery_trigger(db)
    delivered = mark_delivered(db, order_id, actor="sato", at=AS_OF + timedelta(days=1))
    [trigger] = list_triggers(db, statuses=("completed",))
    assert trigger.order_id == order_id
    assert delivered.visit_id is not None
    visit = vq.visit(db, delivered.visit_id)
    assert visit is not None and visit.status == VisitStatus.done
    assert [e.action for e in delivered.events][-1] == "delivered"


def test_5_a_delivery_is_planned_once_the_goods_can_be_there_and_not_completed_before(
    db: Conn,
) -> None:
    _, order_id = draft_for_milk(db)
    approved_at = AS_OF + timedelta(hours=2)  # Monday 17:00 in Tokyo; 24 h lead time
    order = approve_order(db, order_id, actor="sato", at=approved_at)
    assert order.deliver_at >= approved_at + timedelta(hours=24)
    run_replenish_job(db, as_of=approved_at + timedelta(minutes=1))
    [trigger] = [t for t in list_triggers(db) if t.purpose == "order_delivery"]
    with pytest.raises(NotAllowedYet, match="are due"):
        complete_trigger(db, trigger.id, actor="r1", at=approved_at + timedelta(hours=1))
    route = build_route(db, "r1", date(2026, 9, 7), as_of=approved_at, max_runtime_s=0.1)
    assert all("delivery" not in s.purposes for s in route.stops)  # not on Monday
    done = complete_trigger(db, trigger.id, actor="r1", at=order.deliver_at)
    assert done.status == TriggerStatus.completed
    assert get_order(db, order_id).status == OrderStatus.delivered


def test_6_an_order_with_nothing_to_deliver_cannot_be_approved(db: Conn) -> None:
    ids, order_id = draft_for_milk(db)
    edit_order(db, order_id, quantities={ids["milk"]: 0}, actor="sato", at=AS_OF)
    with pytest.raises(NotAllowedYet, match="no line with a positive quantity"):
        approve_order(db, order_id, actor="sato", at=AS_OF)
    with pytest.raises(psycopg.errors.CheckViolation):  # the database refuses it too
        db.execute("UPDATE orders SET status = 'approved' WHERE id = %s", (order_id,))
    assert not [t for t in list_triggers(db) if t.purpose == "order_delivery"]


def test_7_an_edit_is_rounded_to_packs_and_the_moq_or_flagged_and_judged_again(
    db: Conn,
) -> None:
    ids, order_id = draft_for_milk(db)
    db.execute("UPDATE auto_approve_rules SET enabled = true, max_deviation = 0.5")
    edited = edit_order(db, order_id, quantities={ids["milk"]: 40}, actor="sato", at=AS_OF)
    [line] = edited.lines
    assert (line.quantity, line.override) == (48, False)  # 4 packs of 12
    assert "40 rounded to 48" in edited.events[-1].detail["lines"][0]["rounding"]
    kept = edit_order(db, order_id, quantities={ids["milk"]: LineEdit(quantity=25, override=True)},
                      actor="sato", at=AS_OF)  # fmt: skip
    [line] = kept.lines
    assert (line.quantity, line.override) == (25, True)
    with db.transaction():  # a usual quantity of 60 for milk
        db.execute(
            "INSERT INTO orders (customer_id, status, as_of, deliver_at, value, approved_at,"
            " delivered_at, created_at, updated_at)"
            " VALUES ('c1', 'delivered', %s, %s, 0, %s, %s, %s, %s)",
            (AS_OF - timedelta(days=9),) * 6,
        )
        db.execute(
            "INSERT INTO order_lines (order_id, stock_point_id, quantity, suggested_quantity,"
            " reason) SELECT id, %s, 60, 60, 'due' FROM orders WHERE status = 'delivered'",
            (ids["milk"],),
        )
    reasons = rejudge(db, order_id, at=AS_OF)
    assert any("quantity 25 is outside ±50% of the usual 60" in r for r in reasons)
    assert get_order(db, order_id).waiting_reasons == reasons


def test_8_no_route_nor_delivery_on_a_reps_day_off(db: Conn) -> None:
    _, order_id = draft_for_milk(db)
    friday_evening = AS_OF + timedelta(days=4, hours=2)  # Friday 17:00 in Tokyo
    order = approve_order(db, order_id, actor="sato", at=friday_evening)
    assert order.deliver_at.astimezone(friday_evening.tzinfo).weekday() < 5
    local = order.deliver_at.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Tokyo"))
    assert local.date() == date(2026, 9, 14) and local.hour == 9  # Monday morning
    with pytest.raises(RepDayOff, match="Saturday"):
        build_route(db, "r1", date(2026, 9, 12), as_of=friday_evening)


def test_12_11_a_customer_moved_to_another_rep_takes_its_triggers_along(db: Conn) -> None:
    order_with_delivery_trigger(db)
    db.execute(
        "INSERT INTO reps (id, name, depot_lat, depot_lon) VALUES ('r2', 'Rep 2', 35.6, 139.7)"
    )
    db.execute("UPDATE customers SET rep_id = 'r2' WHERE id = 'c1'")
    assert list_triggers(db, rep_id="r1") == []
    [moved] = list_triggers(db, rep_id="r2")
    assert moved.purpose == "order_delivery" and moved.sent_at is None  # sent to r2 anew
