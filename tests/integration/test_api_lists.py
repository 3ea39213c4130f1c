"""The hot lists: visit triggers a page at a time, and the order queue, trigger list and
chart (served without pydantic) answering exactly what their documented models would."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import psycopg
from pydantic import TypeAdapter

from restock.api.schemas.data import ReadingChart
from restock.api.schemas.replenish import OrderSummary, Trigger
from tests.integration.test_api_fixtures import NOW, Api, api_fixture  # noqa: F401 (fixture)


def add_triggers(database_url: str, rep: str, customer: str, count: int) -> None:
    """`count` open triggers, each for a customer of its own like `customer` (one
    unresolved trigger per purpose and subject); priority and due time vary so the order
    is not insertion's."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        for i in range(count):
            conn.execute(
                "INSERT INTO customers (id, name, segment, rep_id, lat, lon)"
                " SELECT %s, name, segment, rep_id, lat, lon FROM customers WHERE id = %s",
                (f"{customer}-{i}", customer),
            )
            conn.execute(
                "INSERT INTO visit_triggers (cause, rep_id, customer_id, purpose, due_by,"
                " priority, detail, created_at) VALUES (%s, %s, %s, 'stockout_risk', %s, %s,"
                " %s, %s)",
                (
                    f"test:{rep}:{i}",
                    rep,
                    f"{customer}-{i}",
                    NOW + timedelta(hours=i % 7),
                    (i * 37) % 11,
                    json.dumps({"level": i + 0.5, "why": ["low", i]}),
                    NOW,
                ),
            )


def test_triggers_come_a_page_at_a_time_most_urgent_first(api: Api, database_url: str) -> None:
    add_triggers(database_url, "rep-1", "cust-1", 105)
    add_triggers(database_url, "rep-2", "cust-2", 3)
    rep = api.headers("rep")
    first = api.client.get("/v1/triggers", headers=rep).json()
    assert len(first) == 100  # the default page
    rest = api.client.get("/v1/triggers", params={"offset": 100}, headers=rep).json()
    everything = first + rest
    assert len(everything) == 105 and {t["rep_id"] for t in everything} == {"rep-1"}
    urgency = [(-t["priority"], t["due_by"], t["id"]) for t in everything]
    assert urgency == sorted(urgency)
    pages = [
        api.client.get("/v1/triggers", params={"limit": 10, "offset": k}, headers=rep).json()
        for k in range(0, 105, 10)
    ]
    assert [t["id"] for page in pages for t in page] == [t["id"] for t in everything]
    planner = api.headers("planner")
    theirs = api.client.get("/v1/triggers", params={"rep_id": "rep-2"}, headers=planner).json()
    assert [t["detail"]["why"] for t in theirs] == [["low", 2], ["low", 1], ["low", 0]]
    widened = api.client.get("/v1/triggers", params={"rep_id": "rep-2"}, headers=rep)
    assert widened.status_code == 403  # a rep cannot read another rep's
    assert "rep-2" in widened.json()["error"]["message"]
    assert api.client.get("/v1/triggers", params={"limit": 0}, headers=rep).status_code == 422


def assert_as_the_model_would(body: str, model: Any) -> None:
    """`body` is what FastAPI would have made of the same value through `model`."""
    adapter = TypeAdapter(model)
    assert json.loads(body) == json.loads(adapter.dump_json(adapter.validate_json(body)))


def test_the_hot_lists_answer_what_their_models_would(api: Api, database_url: str) -> None:
    add_triggers(database_url, "rep-1", "cust-1", 3)
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO orders (customer_id, as_of, deliver_at, value, waiting_reasons,"
            " created_at, updated_at) VALUES ('cust-1', %s, %s, 1234.5, '{over value}', %s, %s)",
            (NOW, NOW + timedelta(days=1), NOW, NOW),
        )
    planner = api.headers("planner")
    orders = api.client.get("/v1/orders", params={"status": "draft"}, headers=planner)
    assert [(o["value"], o["waiting_reasons"]) for o in orders.json()] == [(1234.5, ["over value"])]
    # a planned delivery is a local business time: in the customer's zone (Asia/Tokyo)
    assert orders.json()[0]["deliver_at"] == "2026-11-21T21:00:00+09:00"
    assert_as_the_model_would(orders.text, list[OrderSummary])
    triggers = api.client.get("/v1/triggers", headers=api.headers("rep"))
    assert len(triggers.json()) == 3
    assert_as_the_model_would(triggers.text, list[Trigger])
    sp = api.stock_points["cust-1"]
    chart = api.client.get(f"/v1/stock-points/{sp}/readings", headers=planner)
    assert chart.headers["content-type"] == "application/json"
    assert chart.json()["points"]
    assert_as_the_model_would(chart.text, ReadingChart)


def test_a_chart_with_no_readings_is_empty_and_one_out_of_scope_is_not_found(api: Api) -> None:
    sp = api.stock_points["cust-1"]
    quiet = {
        "start": (NOW - timedelta(days=30)).isoformat(),
        "end": (NOW - timedelta(days=20)).isoformat(),
    }
    empty = api.client.get(
        f"/v1/stock-points/{sp}/readings", params=quiet, headers=api.headers("rep")
    )
    assert empty.status_code == 200 and empty.json()["points"] == []
    other = api.stock_points["cust-2"]
    hidden = api.client.get(f"/v1/stock-points/{other}/readings", headers=api.headers("rep"))
    assert hidden.status_code == 404
    assert (
        api.client.get("/v1/sensors/s-cust-2/readings", headers=api.headers("rep")).status_code
        == 404
    )
    mine = api.client.get("/v1/sensors/s-cust-1/readings", headers=api.headers("rep"))
    assert mine.status_code == 200 and mine.json()["points"]
