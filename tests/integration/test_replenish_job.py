"""The replenishment job on a real PostgreSQL: drafts, rules, approval, audit, triggers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest

from restock.replenish.errors import InvalidQuantity, InvalidTransition, OrderNotFound
from restock.replenish.job import JobConfig, run_replenish_job
from restock.replenish.orders.approval import (
    approve_order,
    bulk_approve,
    edit_order,
    get_order,
    list_orders,
    mark_delivered,
    reject_order,
)
from restock.replenish.orders.rules import create_rule, delete_rule, list_rules, update_rule
from restock.replenish.segments import ReplenishConfig
from restock.replenish.triggers.service import acknowledge_trigger, complete_trigger, list_triggers

Conn = psycopg.Connection[Any]
AS_OF = datetime(2026, 9, 7, 6, tzinfo=UTC)


def setup_world(conn: Conn, *, segment: str = "A", battery: float = 0.9) -> dict[str, int]:
    """One rep, one customer with two stock points (milk, rice) and healthy sensors."""
    conn.execute(
        "INSERT INTO reps (id, name, depot_lat, depot_lon) VALUES ('r1', 'Rep', 35.68, 139.76)"
    )
    conn.execute(
        "INSERT INTO customers (id, name, segment, rep_id, lat, lon)"
        " VALUES ('c1', 'Shop', %s, 'r1', 35.67, 139.76)",
        (segment,),
    )
    conn.execute(
        "INSERT INTO products (id, name, pack_size, moq, lead_time_hours, unit_cost) VALUES"
        " ('milk', 'Milk', 12, 12, 24, 160), ('rice', 'Rice', 4, 4, 24, 2400)"
    )
    ids = {}
    for product, capacity in (("milk", 60), ("rice", 20)):
        row = conn.execute(
            "INSERT INTO stock_points (customer_id, product_id, capacity) VALUES ('c1', %s, %s)"
            " RETURNING id",
            (product, capacity),
        ).fetchone()
        assert row is not None
        ids[product] = int(row[0])
        conn.execute(
            "INSERT INTO sensors (id, stock_point_id, kind, unit, status, battery, last_seen,"
            " last_reading_at)"
            " VALUES (%s, %s, 'shelf_count', 'count', 'online', %s, %s, %s)",
            (
                f"s-{product}",
                ids[product],
                battery,
                AS_OF - timedelta(minutes=20),
                AS_OF - timedelta(minutes=20),
            ),
        )
    return ids


def add_forecast(
    conn: Conn, sp: int, *, as_of: datetime, level: float, rate: float, out_in: tuple[float, float]
) -> None:
    """A forecast whose stockout time is uniform over `out_in` hours after `as_of`."""
    run = conn.execute(
        "INSERT INTO forecast_runs (as_of, horizon_hours) VALUES (%s, 672) RETURNING id",
        (as_of,),
    ).fetchone()
    assert run is not None
    lo, hi = out_in
    cdf = [min(max((2 * i - lo) / (hi - lo), 0.0), 1.0) for i in range(337)]
    conn.execute(
        "INSERT INTO forecasts (stock_point_id, as_of, run_id, model, level, rate_per_hour,"
        " stockout_p10, stockout_p50, stockout_p90, horizon_hours, stockout_cdf, cdf_step_hours,"
        " history_start, history_end) VALUES (%s, %s, %s, 'test', %s, %s, %s, %s, %s, 672, %s,"
        " 2, %s, %s)",
        (
            sp, as_of, run[0], level, rate,
            as_of + timedelta(hours=lo + 0.1 * (hi - lo)),
            as_of + timedelta(hours=(lo + hi) / 2),
            as_of + timedelta(hours=lo + 0.9 * (hi - lo)),
            cdf, as_of - timedelta(days=30), as_of,
        ),
    )  # fmt: skip


def test_job_drafts_one_consolidated_order_and_default_rule_approves_it(db: Conn) -> None:
    ids = setup_world(db)
    add_forecast(db, ids["milk"], as_of=AS_OF, level=30, rate=0.5, out_in=(30, 70))
    add_forecast(db, ids["rice"], as_of=AS_OF, level=6, rate=0.06, out_in=(70, 160))
    summary = run_replenish_job(db, as_of=AS_OF)
    assert (summary.drafted, summary.approved) == (1, 1)
    [order] = list_orders(db)
    assert order.status == "approved" and order.approved_by == "rule:1"
    assert {ln.stock_point_id: ln.reason for ln in order.lines} == {
        ids["milk"]: "due",
        ids["rice"]: "consolidated",
    }
    milk = next(ln for ln in order.lines if ln.stock_point_id == ids["milk"])
    assert milk.quantity % 12 == 0 and milk.reasoning["level"] == 30
    assert milk.reasoning["stockout_p50"] is not None
    assert [e.action for e in order.events] == ["drafted", "approved"]
    purposes = {t.purpose for t in list_triggers(db, rep_id="r1")}
    assert purposes == {"order_delivery"}
    again = run_replenish_job(db, as_of=AS_OF)  # the approved order is not ordered twice
    assert (again.drafted, again.approved, again.triggers) == (0, 0, 0)
    assert len(list_orders(db)) == 1


def test_rerunning_the_same_as_of_changes_nothing(db: Conn) -> None:
    ids = setup_world(db, battery=0.05)  # low battery: the default rule does not approve
    add_forecast(db, ids["milk"], as_of=AS_OF, level=30, rate=0.5, out_in=(30, 70))
    first = run_replenish_job(db, as_of=AS_OF)
    again = run_replenish_job(db, as_of=AS_OF)
    assert (first.drafted, first.waiting) == (1, 1)
    assert (again.drafted, again.updated, again.triggers) == (0, 0, 0)
    [order] = list_orders(db)
    assert order.status == "draft"
    assert any("battery" in reason for reason in order.waiting_reasons)
    assert [e.action for e in order.events] == ["drafted", "waiting"]
    triggers = list_triggers(db)
    assert {t.purpose for t in triggers} == {"stockout_risk", "battery_low"}


def test_a_changed_forecast_updates_the_open_draft_instead_of_a_second_one(db: Conn) -> None:
    ids = setup_world(db, battery=0.05)
    add_forecast(db, ids["milk"], as_of=AS_OF, level=30, rate=0.5, out_in=(30, 70))
    run_replenish_job(db, as_of=AS_OF)
    later = AS_OF + timedelta(hours=6)
    add_forecast(db, ids["milk"], as_of=later, level=10, rate=0.5, out_in=(10, 30))
    summary = run_replenish_job(db, as_of=later)
    assert (summary.drafted, summary.updated) == (0, 1)
    [order] = list_orders(db)
    assert [e.action for e in order.events][-1] in ("redrafted", "waiting")


def test_planner_edits_approves_and_delivery_closes_the_loop(db: Conn) -> None:
    ids = setup_world(db, battery=0.05)
    add_forecast(db, ids["milk"], as_of=AS_OF, level=30, rate=0.5, out_in=(30, 70))
    run_replenish_job(db, as_of=AS_OF)
    [draft] = list_orders(db, status="draft")
    with pytest.raises(InvalidQuantity):
        edit_order(db, draft.id, quantities={ids["milk"]: 500}, actor="hana", at=AS_OF)
    edited = edit_order(db, draft.id, quantities={ids["milk"]: 24}, actor="hana", at=AS_OF)
    assert edited.lines[0].quantity == 24 and edited.lines[0].suggested_quantity != 24
    approved = approve_order(db, draft.id, actor="hana", at=AS_OF + timedelta(minutes=5))
    assert approved.approved_by == "hana" and approved.value == 24 * 160
    with pytest.raises(InvalidTransition):
        edit_order(db, draft.id, quantities={ids["milk"]: 12}, actor="hana", at=AS_OF)
    done = mark_delivered(db, draft.id, actor="driver", at=AS_OF + timedelta(days=1))
    assert done.status == "delivered"
    assert [e.actor for e in done.events][-3:] == ["hana", "hana", "driver"]
    row = db.execute("SELECT stock_point_id, quantity, order_ref FROM deliveries").fetchone()
    assert row == (ids["milk"], 24.0, f"order:{draft.id}")


def test_reject_and_bulk_approve_report_each_order(db: Conn) -> None:
    ids = setup_world(db, battery=0.05)
    add_forecast(db, ids["milk"], as_of=AS_OF, level=30, rate=0.5, out_in=(30, 70))
    run_replenish_job(db, as_of=AS_OF)
    [draft] = list_orders(db, status="draft")
    rejected = reject_order(db, draft.id, actor="hana", at=AS_OF, reason="customer closed")
    assert rejected.status == "rejected"
    result = bulk_approve(db, [draft.id, 999], actor="hana", at=AS_OF)
    assert result.approved == ()
    assert [oid for oid, _ in result.failed] == [draft.id, 999]
    with pytest.raises(OrderNotFound):
        get_order(db, 999)


def test_rules_crud_and_a_value_limit_makes_drafts_wait_naming_the_rule(db: Conn) -> None:
    ids = setup_world(db)
    [default] = list_rules(db)
    update_rule(db, default.id, actor="hana", max_value=1000)
    extra = create_rule(db, actor="hana", name="A shops", segment="A", max_value=50000)
    add_forecast(db, ids["milk"], as_of=AS_OF, level=30, rate=0.5, out_in=(30, 70))
    run_replenish_job(db, as_of=AS_OF)
    [order] = list_orders(db)
    assert order.status == "draft"
    assert any("'default'" in r and "above 1,000" in r for r in order.waiting_reasons)
    delete_rule(db, default.id, actor="hana")
    assert [r.id for r in list_rules(db)] == [extra.id]


def test_a_shelf_no_pack_fits_while_at_risk_gets_one_proposal_a_month(db: Conn) -> None:
    ids = setup_world(db)  # milk: a 60-unit shelf, packs of 12, 24 h lead time
    add_forecast(db, ids["milk"], as_of=AS_OF, level=55, rate=0.2, out_in=(10, 40))
    summary = run_replenish_job(db, as_of=AS_OF)
    assert summary.drafted == 0  # 50.2 expected on arrival: a pack of 12 does not fit
    [proposal] = [t for t in list_triggers(db) if t.purpose == "shelf_too_small"]
    assert (proposal.stock_point_id, proposal.rep_id) == (ids["milk"], "r1")
    assert proposal.detail["suggested_capacity"] == 63
    assert proposal.due_by == AS_OF + timedelta(days=14)
    later = AS_OF + timedelta(days=1)
    add_forecast(db, ids["milk"], as_of=later, level=54, rate=0.2, out_in=(10, 40))
    run_replenish_job(db, as_of=later)
    assert [t.id for t in list_triggers(db) if t.purpose == "shelf_too_small"] == [proposal.id]


def test_stockout_triggers_look_as_far_ahead_as_the_configured_review(db: Conn) -> None:
    ids = setup_world(db, battery=0.05)  # the draft waits: nothing goes on order
    add_forecast(db, ids["milk"], as_of=AS_OF, level=30, rate=0.5, out_in=(60, 80))
    run_replenish_job(db, as_of=AS_OF)  # a daily review: 24 h + the 24 h lead time
    assert "stockout_risk" not in {t.purpose for t in list_triggers(db)}
    run_replenish_job(db, as_of=AS_OF, config=JobConfig(policy=ReplenishConfig(review_hours=72)))
    assert "stockout_risk" in {t.purpose for t in list_triggers(db)}


def test_triggers_are_acknowledged_and_completed_and_never_raised_twice(db: Conn) -> None:
    ids = setup_world(db, battery=0.05)
    add_forecast(db, ids["milk"], as_of=AS_OF, level=30, rate=0.5, out_in=(30, 70))
    run_replenish_job(db, as_of=AS_OF)
    battery = next(t for t in list_triggers(db) if t.purpose == "battery_low")
    acked = acknowledge_trigger(db, battery.id, actor="rep", at=AS_OF)
    assert acked.status == "acknowledged" and acked.acknowledged_by == "rep"
    complete_trigger(db, battery.id, actor="rep", at=AS_OF + timedelta(hours=2))
    assert db.execute(  # the visit made counts for the customer's cadence
        "SELECT customer_id, planned_at, status FROM planned_visits"
    ).fetchall() == [(battery.customer_id, AS_OF + timedelta(hours=2), "done")]
    run_replenish_job(db, as_of=AS_OF + timedelta(hours=3))
    assert not [t for t in list_triggers(db) if t.purpose == "battery_low"]


def test_a_delivery_the_sensor_never_saw_is_flagged(db: Conn) -> None:
    ids = setup_world(db, battery=0.05)
    add_forecast(db, ids["milk"], as_of=AS_OF, level=30, rate=0.5, out_in=(30, 70))
    run_replenish_job(db, as_of=AS_OF)
    [draft] = list_orders(db, status="draft")
    approve_order(db, draft.id, actor="hana", at=AS_OF)
    at = AS_OF + timedelta(days=1)
    mark_delivered(db, draft.id, actor="driver", at=at)
    for minutes, level in ((-120, 18), (-60, 17), (60, 17), (120, 16)):  # no jump
        db.execute(
            "INSERT INTO readings (time, sensor_id, raw_value, quantity)"
            " VALUES (%s, 's-milk', %s, %s)",
            (at + timedelta(minutes=minutes), level, level),
        )
    summary = run_replenish_job(db, as_of=at + timedelta(hours=4))
    assert summary.mismatches == 1
    order = get_order(db, draft.id)
    assert order.lines[0].reconciled == "no_jump"
    assert order.events[-1].action == "delivery_mismatch"
