"""The visit log over the API, on a real PostgreSQL: check-in, check-out with notes and
the next action, the history kept with the customer, rep scoping, and the brief."""

from __future__ import annotations

import psycopg

from tests.integration.test_api_fixtures import NOW, Api, api_fixture  # noqa: F401 (fixture)


def _trigger(url: str, customer: str, rep: str, stock_point: int | None = None) -> int:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "INSERT INTO visit_triggers (cause, rep_id, customer_id, stock_point_id, purpose,"
            " due_by, priority, created_at, detail)"
            " VALUES (%s, %s, %s, %s, 'stockout_risk', %s, 50, %s, %s) RETURNING id",
            (
                f"stockout_risk:{customer}",
                rep,
                customer,
                stock_point,
                NOW,
                NOW,
                '{"p_stockout": 0.4, "before": "2026-11-22T00:00:00+00:00", "level": 52}',
            ),
        ).fetchone()
    assert row is not None
    return int(row[0])


def test_a_visit_is_checked_in_and_out_and_kept_with_the_customer(
    api: Api, database_url: str
) -> None:
    client, rep1, rep2 = api.client, api.headers("rep"), api.headers("rep-2")
    trigger = _trigger(database_url, "cust-1", "rep-1")
    visit = client.post("/v1/customers/cust-1/check-in", headers=rep1)
    assert visit.status_code == 201, visit.text
    entry = visit.json()
    assert entry["rep_id"] == "rep-1" and entry["checked_out_at"] is None
    # checking in again where the rep is returns the same visit; elsewhere is a conflict
    assert client.post("/v1/customers/cust-1/check-in", headers=rep1).json()["id"] == entry["id"]
    assert client.post("/v1/customers/cust-2/check-in", headers=rep1).status_code == 404
    body = {
        "outcome": "proposal_made",
        "notes": "wants a larger glove shelf",
        "next_action": "bring the shelf catalogue",
        "next_action_due": "2026-11-27",
        "completed_triggers": [trigger],
    }
    assert (
        client.post(f"/v1/visits/{entry['id']}/check-out", headers=rep2, json=body).status_code
        == 404
    )
    done = client.post(f"/v1/visits/{entry['id']}/check-out", headers=rep1, json=body)
    assert done.status_code == 200, done.text
    assert done.json()["outcome"] == "proposal_made"
    again = client.post(f"/v1/visits/{entry['id']}/check-out", headers=rep1, json=body)
    assert again.status_code == 409
    with psycopg.connect(database_url) as conn:
        status = conn.execute("SELECT status FROM visit_triggers WHERE id = %s", (trigger,))
        assert status.fetchone() == ("completed",)
        planned = conn.execute(
            "SELECT status FROM planned_visits WHERE customer_id = 'cust-1'"
        ).fetchall()
        assert planned == [("done",)]  # the customer's cadence counts from the visit

    # another rep cannot read it until the customer is theirs; then they can
    assert client.get("/v1/customers/cust-1/visits", headers=rep2).status_code == 404
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("UPDATE customers SET rep_id = 'rep-2' WHERE id = 'cust-1'")
    history = client.get("/v1/customers/cust-1/visits", headers=rep2).json()
    assert [(v["rep_id"], v["notes"]) for v in history] == [("rep-1", "wants a larger glove shelf")]
    brief = client.get("/v1/customers/cust-1/brief", headers=rep2).json()
    assert brief["next_actions"][0]["text"] == "From the last visit: bring the shelf catalogue"
    assert client.get("/v1/customers/cust-1/visits", headers=rep1).status_code == 404
    assert (
        client.get("/v1/customers/cust-1/visits", headers=api.headers("planner")).status_code == 200
    )


def test_only_reps_check_in_and_outcomes_are_checked(api: Api) -> None:
    client = api.client
    planner = client.post("/v1/customers/cust-1/check-in", headers=api.headers("planner"))
    assert planner.status_code == 403
    visit = client.post("/v1/customers/cust-1/check-in", headers=api.headers("rep")).json()
    bad = client.post(
        f"/v1/visits/{visit['id']}/check-out", headers=api.headers("rep"), json={"outcome": "meh"}
    )
    assert bad.status_code == 422
    busy = client.post("/v1/customers/cust-1/check-in", headers=api.headers("rep"))
    assert busy.status_code == 201


def test_the_brief_says_why_from_the_open_triggers(api: Api, database_url: str) -> None:
    _trigger(database_url, "cust-2", "rep-2", api.stock_points["cust-2"])
    brief = api.client.get("/v1/customers/cust-2/brief", headers=api.headers("rep-2")).json()
    assert brief["purpose"][0]["kind"] == "stockout_risk"
    assert brief["purpose"][0]["text"].startswith("Gloves may run out")
    figures = brief["purpose"][0]["figures"]
    assert "level 52 of 100 box" in figures and "using 24 box/day" in figures
    assert "40% chance of running out before Sun 22 Nov 09:00 JST" in figures
    assert (
        api.client.get("/v1/customers/cust-2/brief", headers=api.headers("rep")).status_code == 404
    )
