"""Every date-time in every JSON response follows the one documented convention
(restock.api.schemas.times): an ISO 8601 string with an offset; an instant in UTC
(`Z`); a local business time with the offset of the zone its response names in
`time_zone` (a route's: its rep's, an order's: its customer's).

A scripted session calls every operation of the OpenAPI document, on a database whose
default time zone is neither UTC nor any customer's or rep's, with a customer in
another zone than its rep; each response is walked beside its documented schema."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
import pytest
from psycopg import sql

from restock.api.app import create_app
from restock.api.auth import Role, create_token
from restock.core.clock import ManualClock
from restock.core.db import database_name
from restock.core.settings import Settings
from tests.integration.test_api_fixtures import NOW, TestClient, seed

LOOKS_LIKE_A_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
NOT_JSON = {("GET", "/metrics")}


@dataclass
class Session:
    client: TestClient
    tokens: dict[str, str]
    calls: list[tuple[str, str, Any]] = field(default_factory=list)  # method, template, body

    def call(
        self,
        who: str | None,
        method: str,
        template: str,
        *,
        params: dict[str, Any] | None = None,
        body: Any = None,
        expect: int = 200,
        **path: Any,
    ) -> Any:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}
        response = self.client.request(
            method, template.format(**path), params=params, json=body, headers=headers
        )
        assert response.status_code == expect, (method, template, response.text)
        payload = response.json() if response.content else None
        self.calls.append((method, template, payload))
        return payload


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    with psycopg.connect(database_url, autocommit=True) as conn:
        seed(conn)
        # neither UTC nor anyone's zone: whatever reads timestamps with the server's
        # default would show it
        conn.execute(
            sql.SQL("ALTER DATABASE {} SET timezone TO 'America/New_York'").format(
                sql.Identifier(database_name(database_url))
            )
        )
        tokens = {role.value: create_token(conn, role).token for role in Role if role != Role.rep}
        tokens["rep"] = create_token(conn, Role.rep, rep_id="rep-1").token
    settings = Settings(database_url=database_url, api_pool_min=1, api_pool_max=4)
    with TestClient(create_app(settings, clock=ManualClock(NOW))) as client:
        yield Session(client=client, tokens=tokens)


REASONING = json.dumps({"stockout_p50": (NOW + timedelta(hours=30)).isoformat()})


def add_draft(database_url: str, customer: str, stock_point: int) -> int:
    """A draft order of one line, as replenishment would have drafted it."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        row = conn.execute(
            "INSERT INTO orders (customer_id, as_of, deliver_at, value, created_at,"
            " updated_at) VALUES (%s, %s, %s, 0, %s, %s) RETURNING id",
            (customer, NOW, NOW + timedelta(days=2), NOW, NOW),
        ).fetchone()
        assert row is not None
        conn.execute(
            "INSERT INTO order_lines (order_id, stock_point_id, quantity,"
            " suggested_quantity, reason, reasoning) VALUES (%s, %s, 40, 40, 'due', %s)",
            (row[0], stock_point, REASONING),
        )
        conn.execute(
            "INSERT INTO audit_events (entity, entity_id, at, actor, action, to_status)"
            " VALUES ('order', %s, %s, 'job', 'drafted', 'draft')",
            (row[0], NOW),
        )
    return int(row[0])


def add_triggers_and_a_cadence(database_url: str, stock_point: int) -> tuple[int, int]:
    """Two open triggers for rep-1 at cust-1; cust-1, next to rep-1's depot, is due its
    weekly visit on Monday 2026-11-23."""
    ids = []
    with psycopg.connect(database_url, autocommit=True) as conn:
        for purpose in ("stockout_risk", "battery_low"):
            row = conn.execute(
                "INSERT INTO visit_triggers (cause, rep_id, customer_id, stock_point_id,"
                " purpose, due_by, priority, detail, created_at) VALUES (%s, 'rep-1',"
                " 'cust-1', %s, %s, %s, 3, %s, %s) RETURNING id",
                (f"walk:{purpose}", stock_point, purpose, NOW + timedelta(hours=20),
                 REASONING, NOW),
            ).fetchone()  # fmt: skip
            assert row is not None
            ids.append(int(row[0]))
        conn.execute("UPDATE customers SET lat = 35.681, lon = 139.761 WHERE id = 'cust-1'")
        conn.execute(
            "INSERT INTO planned_visits (rep_id, customer_id, day, planned_at, purposes, status,"
            " done_at) VALUES ('rep-1', 'cust-1', '2026-11-13', %s, '{cadence}', 'done', %s)",
            (NOW - timedelta(days=7), NOW - timedelta(days=7)),
        )
    return ids[0], ids[1]


def run_the_session(s: Session, database_url: str) -> None:
    """One call (at least) of every operation, as the roles that may make it (the route
    is planned before the order's delivery counts as cust-1's latest visit)."""
    with psycopg.connect(database_url) as conn:
        points = {c: int(i) for c, i in conn.execute("SELECT customer_id, id FROM stock_points")}
    sp, other_sp = points["cust-1"], points["cust-2"]
    order, other_order = (
        add_draft(database_url, "cust-1", sp),
        add_draft(database_url, "cust-2", other_sp),
    )
    trigger, unneeded = add_triggers_and_a_cadence(database_url, sp)
    tokyo_week = {"start": "2026-11-13T09:00:00+09:00", "end": "2026-11-20T21:00:00+09:00"}

    s.call(None, "GET", "/health")
    s.call(None, "GET", "/ready")
    s.call("rep", "GET", "/v1/me")
    issued = s.call("admin", "POST", "/v1/tokens", body={"role": "planner"}, expect=201)
    s.call("admin", "GET", "/v1/tokens")
    s.call("admin", "DELETE", "/v1/tokens/{token_id}", token_id=issued["id"], expect=204)

    hours = {str(d): [["08:00", "20:00"]] for d in range(1, 8)}
    s.call(
        "planner",
        "PATCH",
        "/v1/customers/{customer_id}",
        customer_id="cust-1",
        body={"time_zone": "Asia/Kolkata", "opening_hours": hours},
    )
    s.call(
        "planner",
        "POST",
        "/v1/customers",
        expect=201,
        body={
            "id": "cust-3",
            "name": "Bakery",
            "segment": "C",
            "lat": 52.5,
            "lon": 13.4,
            "time_zone": "Europe/Berlin",
        },
    )
    s.call("rep", "GET", "/v1/customers")
    s.call("rep", "GET", "/v1/customers/{customer_id}", customer_id="cust-1")
    s.call(
        "admin",
        "POST",
        "/v1/reps",
        expect=201,
        body={
            "id": "rep-3",
            "name": "Chiba",
            "depot_lat": 35.6,
            "depot_lon": 140.1,
            "time_zone": "Asia/Tokyo",
        },
    )
    s.call(
        "admin",
        "PATCH",
        "/v1/reps/{rep_id}",
        rep_id="rep-3",
        body={"work_start": "08:00", "work_end": "17:00", "work_days": [1, 2, 3]},
    )
    s.call("planner", "GET", "/v1/reps")
    s.call("rep", "GET", "/v1/reps/{rep_id}", rep_id="rep-1")
    s.call("planner", "POST", "/v1/products", body={"id": "tape", "name": "Tape"}, expect=201)
    s.call("planner", "PATCH", "/v1/products/{product_id}", product_id="tape", body={"moq": 10})
    s.call("rep", "GET", "/v1/products")
    s.call("rep", "GET", "/v1/products/{product_id}", product_id="tape")
    new_sp = s.call(
        "planner",
        "POST",
        "/v1/stock-points",
        expect=201,
        body={"customer_id": "cust-3", "product_id": "tape", "capacity": 50},
    )
    s.call(
        "planner",
        "PATCH",
        "/v1/stock-points/{stock_point_id}",
        stock_point_id=new_sp["id"],
        body={"capacity": 60},
    )
    s.call("rep", "GET", "/v1/stock-points")
    s.call("rep", "GET", "/v1/stock-points/{stock_point_id}", stock_point_id=sp)
    s.call(
        "planner",
        "POST",
        "/v1/sensors",
        expect=201,
        body={
            "id": "s-new",
            "kind": "shelf_count",
            "unit": "count",
            "installed_at": "2026-11-01T09:00:00+09:00",
        },
    )
    s.call(
        "planner",
        "PUT",
        "/v1/sensors/{sensor_id}/binding",
        sensor_id="s-new",
        body={"stock_point_id": new_sp["id"]},
    )
    s.call(
        "planner",
        "PUT",
        "/v1/sensors/{sensor_id}/calibration",
        sensor_id="s-new",
        body={"tare": 1.5, "scale": 2},
    )
    s.call("planner", "POST", "/v1/sensors/{sensor_id}/disable", sensor_id="s-new")
    s.call("planner", "POST", "/v1/sensors/{sensor_id}/enable", sensor_id="s-new")
    s.call("rep", "GET", "/v1/sensors")
    s.call("rep", "GET", "/v1/sensors/{sensor_id}", sensor_id="s-cust-1")
    s.call(
        "rep",
        "GET",
        "/v1/stock-points/{stock_point_id}/readings",
        stock_point_id=sp,
        params=tokyo_week,
    )
    s.call("rep", "GET", "/v1/sensors/{sensor_id}/readings", sensor_id="s-cust-1")
    s.call("rep", "GET", "/v1/forecasts/latest")
    s.call("rep", "GET", "/v1/stock-points/{stock_point_id}/forecasts/latest", stock_point_id=sp)
    s.call(
        "rep",
        "GET",
        "/v1/stock-points/{stock_point_id}/forecasts",
        stock_point_id=sp,
        params=tokyo_week,
    )
    s.call("planner", "GET", "/v1/rejected-messages", params={"pending": "true"})
    s.call("planner", "GET", "/v1/rejected-messages/summary")

    planned = s.call(
        "planner", "POST", "/v1/reps/{rep_id}/routes/{day}", rep_id="rep-1", day="2026-11-23"
    )
    assert planned["stops"], "the walk needs a stop in the route"
    stored = s.call(
        "rep", "GET", "/v1/reps/{rep_id}/routes/{day}", rep_id="rep-1", day="2026-11-23"
    )
    assert stored["stops"] == planned["stops"]  # one convention: GET says what POST said
    s.call(
        "rep",
        "POST",
        "/v1/reps/{rep_id}/visits",
        rep_id="rep-1",
        body={"customer_id": "cust-1"},
        expect=201,
    )
    visit = s.call(
        "rep", "POST", "/v1/customers/{customer_id}/check-in", customer_id="cust-1", expect=201
    )
    s.call(
        "rep",
        "POST",
        "/v1/visits/{visit_id}/check-out",
        visit_id=visit["id"],
        body={"outcome": "information", "next_action": "ask", "next_action_due": "2026-11-30"},
    )
    s.call("planner", "GET", "/v1/customers/{customer_id}/visits", customer_id="cust-1")
    s.call("rep", "GET", "/v1/customers/{customer_id}/brief", customer_id="cust-1")

    s.call("planner", "GET", "/v1/orders", params={"status": "draft"})
    s.call("rep", "GET", "/v1/orders/{order_id}", order_id=order)
    s.call(
        "planner",
        "PATCH",
        "/v1/orders/{order_id}",
        order_id=order,
        body={"lines": [{"stock_point_id": sp, "quantity": 45}]},
    )
    s.call("planner", "POST", "/v1/orders/{order_id}/approve", order_id=order)
    s.call("planner", "POST", "/v1/orders/{order_id}/sent", order_id=order)
    s.call("planner", "POST", "/v1/orders/{order_id}/delivered", order_id=order)
    s.call(
        "planner",
        "POST",
        "/v1/orders/{order_id}/reject",
        order_id=other_order,
        body={"reason": "customer closed for inventory"},
    )
    s.call("planner", "POST", "/v1/orders/approve", body={"order_ids": [other_order]})
    s.call("planner", "POST", "/v1/orders/holds/{stock_point_id}/release", stock_point_id=other_sp)
    withdrawn = add_draft(database_url, "cust-2", other_sp)
    s.call("planner", "POST", "/v1/orders/{order_id}/approve", order_id=withdrawn)
    s.call(
        "planner",
        "POST",
        "/v1/orders/{order_id}/cancel",
        order_id=withdrawn,
        body={"reason": "the customer moved"},
    )
    s.call("planner", "GET", "/v1/orders")

    rule = s.call("planner", "POST", "/v1/auto-approve-rules", body={"name": "small"}, expect=201)
    s.call("planner", "GET", "/v1/auto-approve-rules")
    s.call("planner", "GET", "/v1/auto-approve-rules/{rule_id}", rule_id=rule["id"])
    s.call(
        "planner",
        "PATCH",
        "/v1/auto-approve-rules/{rule_id}",
        rule_id=rule["id"],
        body={"max_value": 500},
    )
    s.call("planner", "DELETE", "/v1/auto-approve-rules/{rule_id}", rule_id=rule["id"], expect=204)

    s.call("rep", "GET", "/v1/triggers")
    s.call("rep", "GET", "/v1/triggers/{trigger_id}", trigger_id=trigger)
    s.call("rep", "POST", "/v1/triggers/{trigger_id}/acknowledge", trigger_id=trigger)
    s.call("rep", "POST", "/v1/triggers/{trigger_id}/complete", trigger_id=trigger)
    s.call(
        "planner",
        "POST",
        "/v1/triggers/{trigger_id}/cancel",
        trigger_id=unneeded,
        body={"reason": "battery swapped"},
    )

    s.call("rep", "GET", "/v1/kpis", params=tokyo_week)
    s.call("planner", "GET", "/v1/kpis", params={"group_by": "segment"})


def resolve(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


@dataclass(frozen=True)
class Found:
    where: str
    value: str
    kind: str | None  # the schema's x-restock-time; None: free-form or undocumented
    date_time: bool  # documented as format date-time
    zone: str | None  # the nearest enclosing `time_zone`


def datetimes_in(
    value: Any, schema: dict[str, Any], document: dict[str, Any], where: str, zone: str | None
) -> Iterator[Found]:
    """Every string in `value` that looks like a date-time, with what its schema says."""
    schema = resolve(schema, document)
    if "anyOf" in schema:
        options = [resolve(o, document) for o in schema["anyOf"]]
        options = [o for o in options if o.get("type") != "null"]
        schema = options[0] if len(options) == 1 else {}
    if isinstance(value, dict):
        if isinstance(value.get("time_zone"), str):
            zone = value["time_zone"]
        extra = schema.get("additionalProperties")
        for key, item in value.items():
            inner = schema.get("properties", {}).get(key, extra if isinstance(extra, dict) else {})
            yield from datetimes_in(item, inner, document, f"{where}.{key}", zone)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from datetimes_in(item, schema.get("items", {}), document, f"{where}[{i}]", zone)
    elif isinstance(value, str) and LOOKS_LIKE_A_DATETIME.match(value):
        date_time = schema.get("format") == "date-time"
        yield Found(where, value, schema.get("x-restock-time"), date_time, zone)


def response_schema(document: dict[str, Any], method: str, template: str) -> dict[str, Any]:
    responses = document["paths"][template][method.lower()]["responses"]
    ok = next(r for status, r in responses.items() if status.startswith("2"))
    return dict(ok.get("content", {}).get("application/json", {}).get("schema", {}))


def test_every_date_time_in_every_response_follows_the_convention(
    session: Session, database_url: str
) -> None:
    run_the_session(session, database_url)
    document = session.client.app.openapi()  # type: ignore[attr-defined]

    operations = {
        (method.upper(), path) for path, item in document["paths"].items() for method in item
    }
    assert operations - NOT_JSON <= {(m, t) for m, t, _ in session.calls}, "walk them all"

    found = [
        item
        for method, template, body in session.calls
        if body is not None
        for item in datetimes_in(
            body,
            response_schema(document, method, template),
            document,
            f"{method} {template}",
            None,
        )
    ]
    kinds = {item.kind for item in found}
    assert kinds == {"instant", "local", None}, kinds  # the session saw each kind
    for item in found:
        parsed = datetime.fromisoformat(item.value)
        assert parsed.utcoffset() is not None, f"{item.where}: {item.value} has no offset"
        if item.date_time:
            assert item.kind in ("instant", "local"), f"{item.where}: undocumented kind"
        if item.kind == "instant":
            assert item.value.endswith("Z"), f"{item.where}: {item.value} is not in UTC"
        if item.kind == "local":
            assert item.zone is not None, f"{item.where}: no time_zone names its zone"
            expected = ZoneInfo(item.zone).utcoffset(parsed.replace(tzinfo=None))
            assert parsed.utcoffset() == expected, f"{item.where}: {item.value} not {item.zone}"

    local = {
        (re.split(r"[.\[]", i.where, maxsplit=1)[0], i.zone, i.value[-6:])
        for i in found
        if i.kind == "local"
    }
    assert ("POST /v1/reps/{rep_id}/routes/{day}", "Asia/Tokyo", "+09:00") in local
    assert ("GET /v1/reps/{rep_id}/routes/{day}", "Asia/Tokyo", "+09:00") in local
    assert ("GET /v1/orders/{order_id}", "Asia/Kolkata", "+05:30") in local  # cust-1's
    assert ("GET /v1/orders", "Asia/Tokyo", "+09:00") in local  # cust-2's


def test_the_document_says_which_kind_each_response_date_time_is() -> None:
    document = create_app(Settings()).openapi()
    unmarked = []

    def visit(schema: Any, where: str, seen: set[str]) -> None:
        if isinstance(schema, dict):
            ref = schema.get("$ref")
            if ref and ref not in seen:
                name = ref.rsplit("/", 1)[1]
                visit(document["components"]["schemas"][name], name, seen | {ref})
            if schema.get("format") == "date-time" and "x-restock-time" not in schema:
                unmarked.append(where)
            for key, inner in schema.items():
                visit(inner, f"{where}.{key}", seen)
        elif isinstance(schema, list):
            for inner in schema:
                visit(inner, where, seen)

    for path, item in document["paths"].items():
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                visit(response.get("content", {}), f"{method} {path} {status}", set())
    assert unmarked == []
