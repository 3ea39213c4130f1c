"""The planner's and rep's pages: sign in with a token, see the queue, approve."""

from __future__ import annotations

import psycopg

from tests.integration.test_api_fixtures import NOW, Api, api_fixture  # noqa: F401 (fixture)


def test_a_planner_signs_in_and_approves_a_draft_from_the_queue(
    api: Api, database_url: str
) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        row = conn.execute(
            "INSERT INTO orders (customer_id, as_of, deliver_at, value, created_at, updated_at)"
            " VALUES ('cust-1', %s, %s, 1200, %s, %s) RETURNING id",
            (NOW, NOW, NOW, NOW),
        ).fetchone()
        assert row is not None
        conn.execute(
            "INSERT INTO order_lines (order_id, stock_point_id, quantity, suggested_quantity,"
            " reason) VALUES (%s, %s, 12, 12, 'due')",
            (row[0], api.stock_points["cust-1"]),
        )
    order_id = row[0]
    client = api.client
    assert client.get("/ui/orders").status_code == 401
    signed = client.post("/ui/login", data={"token": api.tokens["planner"]}, follow_redirects=False)
    assert signed.status_code == 303 and signed.headers["location"] == "/ui/orders"
    queue = client.get("/ui/orders")
    assert "Clinic" in queue.text and f"/ui/orders/{order_id}/approve" in queue.text
    done = client.post(f"/ui/orders/{order_id}/approve", follow_redirects=False)
    assert done.status_code == 303
    with psycopg.connect(database_url) as conn:
        status = conn.execute("SELECT status FROM orders WHERE id = %s", (order_id,)).fetchone()
    assert status == ("approved",)
    assert "No draft orders waiting." in client.get("/ui/orders").text


def test_a_rep_sees_no_approve_buttons_and_a_device_no_pages(api: Api) -> None:
    client = api.client
    client.post("/ui/login", data={"token": api.tokens["rep"]}, follow_redirects=False)
    assert client.get("/ui/triggers").status_code == 200
    assert client.post("/ui/orders/1/approve").status_code == 403
    client.cookies.clear()
    client.post("/ui/login", data={"token": api.tokens["device"]}, follow_redirects=False)
    assert client.get("/ui/triggers").status_code == 403
    bad = client.post("/ui/login", data={"token": "rst_wrong"}, follow_redirects=False)
    assert bad.status_code == 401
