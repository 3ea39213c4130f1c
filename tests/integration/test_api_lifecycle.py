"""The order and trigger lifecycle through the API: what a planner and a rep can reach,
and what they are refused (issue 13's defects 4, 14 and 15; issue 12's item 11)."""

from __future__ import annotations

from datetime import timedelta

import psycopg

from tests.integration.test_api_fixtures import NOW, Api, api_fixture  # noqa: F401 (fixture)


def a_draft(database_url: str, sp: int, customer: str = "cust-1") -> int:
    with psycopg.connect(database_url, autocommit=True) as conn:
        row = conn.execute(
            "INSERT INTO orders (customer_id, as_of, deliver_at, value, created_at, updated_at)"
            " VALUES (%s, %s, %s, 600, %s, %s) RETURNING id",
            (customer, NOW, NOW + timedelta(days=1), NOW, NOW),
        ).fetchone()
        assert row is not None
        conn.execute(
            "INSERT INTO order_lines (order_id, stock_point_id, quantity, suggested_quantity,"
            " reason, reasoning) VALUES (%s, %s, 50, 50, 'due', '{\"level\": 40,"
            ' "p_stockout": 0.2}\')',
            (row[0], sp),
        )
        return int(row[0])


def test_a_rejection_needs_a_reason_and_is_shown_with_the_order(
    api: Api, database_url: str
) -> None:
    order_id = a_draft(database_url, api.stock_points["cust-1"])
    planner = api.headers("planner")
    for body in ({}, {"reason": ""}, {"reason": "   "}):
        refused = api.client.post(f"/v1/orders/{order_id}/reject", json=body, headers=planner)
        assert refused.status_code == 422, body
    rejected = api.client.post(
        f"/v1/orders/{order_id}/reject", json={"reason": "duplicate of a phone order"},
        headers=planner,
    ).json()  # fmt: skip
    assert rejected["status"] == "rejected"
    assert rejected["closed_reason"] == "duplicate of a phone order"
    assert rejected["events"][-1]["action"] == "rejected"
    assert rejected["events"][-1]["from_status"] == "draft"
    released = api.client.post(
        f"/v1/orders/holds/{api.stock_points['cust-1']}/release", headers=planner
    )
    assert released.json() == {"stock_point_id": api.stock_points["cust-1"], "released": True}


def test_an_approved_order_is_cancelled_not_rejected(api: Api, database_url: str) -> None:
    order_id = a_draft(database_url, api.stock_points["cust-1"])
    planner = api.headers("planner")
    approved = api.client.post(f"/v1/orders/{order_id}/approve", headers=planner).json()
    assert approved["status"] == "approved" and approved["visit_id"] is not None
    late = api.client.post(f"/v1/orders/{order_id}/reject", json={"reason": "x"}, headers=planner)
    assert late.status_code == 409 and "cannot reject" in late.json()["error"]["message"]
    cancelled = api.client.post(
        f"/v1/orders/{order_id}/cancel", json={"reason": "shop closed"}, headers=planner
    )
    assert cancelled.json()["status"] == "cancelled"


def test_a_planner_cancels_a_trigger_a_rep_cannot(api: Api, database_url: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        row = conn.execute(
            "INSERT INTO visit_triggers (cause, rep_id, customer_id, purpose, due_by, priority,"
            " created_at) VALUES ('battery_low:1:x', 'rep-1', 'cust-1', 'battery_low', %s, 10,"
            " %s) RETURNING id",
            (NOW + timedelta(days=7), NOW),
        ).fetchone()
    assert row is not None
    path = f"/v1/triggers/{row[0]}/cancel"
    body = {"reason": "battery replaced on the last visit"}
    assert api.client.post(path, json=body, headers=api.headers("rep")).status_code == 403
    assert api.client.post(path, json={}, headers=api.headers("planner")).status_code == 422
    cancelled = api.client.post(path, json=body, headers=api.headers("planner")).json()
    assert cancelled["status"] == "cancelled"
    assert cancelled["cancel_reason"] == "battery replaced on the last visit"


def test_a_rep_asking_for_another_reps_orders_is_refused(api: Api, database_url: str) -> None:
    a_draft(database_url, api.stock_points["cust-2"], customer="cust-2")
    rep = api.headers("rep")
    refused = api.client.get("/v1/orders", params={"rep_id": "rep-2"}, headers=rep)
    assert refused.status_code == 403
    assert api.client.get("/v1/orders", params={"rep_id": "rep-1"}, headers=rep).json() == []
    theirs = api.client.get(
        "/v1/orders", params={"rep_id": "rep-2"}, headers=api.headers("planner")
    )
    assert [o["customer_id"] for o in theirs.json()] == ["cust-2"]


def test_a_customer_moved_to_another_rep_takes_its_triggers_along(
    api: Api, database_url: str
) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        row = conn.execute(
            "INSERT INTO visit_triggers (cause, rep_id, customer_id, purpose, due_by, priority,"
            " created_at) VALUES ('consumption_drop:1:w', 'rep-1', 'cust-1', 'consumption_drop',"
            " %s, 20, %s) RETURNING id",
            (NOW + timedelta(days=7), NOW),
        ).fetchone()
        assert row is not None
        conn.execute("UPDATE customers SET rep_id = 'rep-2' WHERE id = 'cust-1'")
    old, new = api.headers("rep"), api.headers("rep-2")
    path = f"/v1/triggers/{row[0]}"
    assert api.client.get(path, headers=old).status_code == 404
    assert api.client.post(path + "/acknowledge", headers=old).status_code == 404
    assert api.client.get("/v1/triggers", headers=old).json() == []
    assert [t["id"] for t in api.client.get("/v1/triggers", headers=new).json()] == [row[0]]
    assert api.client.post(path + "/acknowledge", headers=new).json()["status"] == "acknowledged"
