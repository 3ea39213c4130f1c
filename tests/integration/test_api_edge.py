"""The API's edge: date-time parameters, strict parsing and the 422 body.

Every date-time parameter carries an offset or is answered 422 naming it, never 500
(issue 13 item 11, issue 12 item 10); wrong types are refused, not coerced; a value the
database would refuse is refused first, naming the field; what the database still
refuses (a missing referent, a duplicate) is named without quoting its row."""

from __future__ import annotations

import logging
from typing import Any

import psycopg
import pytest
from fastapi import FastAPI

from restock.api.errors import install_error_handlers
from tests.integration.test_api_fixtures import (  # noqa: F401 (fixture)
    Api,
    TestClient,
    api_fixture,
    seed,
)

# no offset, a date only, epoch seconds, year 1 and 9999, offsets no zone has
BAD_DATETIMES = [
    "2026-12-01",
    "2026-11-30T00:00:00",
    "0.5",
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59Z",
    "9999-12-31T23:00:00-12:00",
    "2026-11-30T00:00:00+16:00",
    "2026-11-30T00:00:00+25:00",
]
DATETIME_PARAMETERS = [
    ("/v1/kpis", "start"),
    ("/v1/kpis", "end"),
    ("/v1/stock-points/{sp}/readings", "start"),
    ("/v1/stock-points/{sp}/readings", "end"),
    ("/v1/sensors/s-cust-1/readings", "start"),
    ("/v1/sensors/s-cust-1/readings", "end"),
    ("/v1/stock-points/{sp}/forecasts", "start"),
    ("/v1/stock-points/{sp}/forecasts", "end"),
]


def assert_refused(response: Any, where: str, field: str) -> dict[str, Any]:
    """A 422 in the one error shape whose message and details name `field`."""
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert f"{where} {field}:" in error["message"]
    assert [d["field"] for d in error["details"]] == [field]
    assert "Failing row" not in response.text
    return dict(error["details"][0])


@pytest.mark.parametrize(("path", "name"), DATETIME_PARAMETERS)
def test_a_date_time_parameter_without_a_usable_offset_is_a_422_naming_it(
    api: Api, path: str, name: str
) -> None:
    url = path.format(sp=api.stock_points["cust-1"])
    for value in BAD_DATETIMES:
        response = api.client.get(url, params={name: value}, headers=api.headers("planner"))
        assert_refused(response, "query parameter", name)
    good = api.client.get(
        url, params={name: "2026-11-20T09:00:00+09:00"}, headers=api.headers("planner")
    )
    assert good.status_code in (200, 422)  # 422: an empty range, said so
    if good.status_code == 422:
        assert "must be before" in good.json()["error"]["message"]


def test_the_edges_of_the_accepted_span_are_answered(api: Api) -> None:
    planner = api.headers("planner")
    sp = api.stock_points["cust-1"]
    earliest = {"end": "1970-01-01T00:00:00Z"}  # the default start is 90 days earlier
    assert api.client.get("/v1/kpis", params=earliest, headers=planner).status_code == 200
    whole = {"start": "1970-01-01T09:00:00+09:00", "end": "2199-12-31T23:59:59Z"}
    assert api.client.get("/v1/kpis", params=whole, headers=planner).status_code == 200
    chart = api.client.get(f"/v1/stock-points/{sp}/readings", params=whole, headers=planner)
    assert chart.status_code == 200
    assert (chart.json()["start"], chart.json()["end"]) == (
        "1970-01-01T00:00:00Z",
        "2199-12-31T23:59:59Z",
    )


@pytest.mark.parametrize(
    ("path", "params", "where", "field"),
    [
        ("/v1/reps/rep-1/routes/0", {}, "path parameter", "day"),
        ("/v1/reps/rep-1/routes/20261123", {}, "path parameter", "day"),
        ("/v1/reps/rep-1/routes/0001-01-01", {}, "path parameter", "day"),
        ("/v1/rejected-messages", {"pending": "1"}, "query parameter", "pending"),
        ("/v1/rejected-messages", {"pending": "yes"}, "query parameter", "pending"),
        ("/v1/customers", {"limit": "1.0"}, "query parameter", "limit"),
        ("/v1/customers", {"offset": "true"}, "query parameter", "offset"),
        ("/v1/sensors", {"stock_point_id": "1.5"}, "query parameter", "stock_point_id"),
        ("/v1/orders/1.0", {}, "path parameter", "order_id"),
        ("/v1/customers/cust%001", {}, "path parameter", "customer_id"),
        ("/v1/orders", {"customer_id": "cust\x00"}, "query parameter", "customer_id"),
    ],
)
def test_parameters_are_parsed_strictly(
    api: Api, path: str, params: dict[str, str], where: str, field: str
) -> None:
    response = api.client.get(path, params=params, headers=api.headers("admin"))
    assert_refused(response, where, field)


# Each was refused by PostgreSQL (a 422 quoting the failing row, or a DataError) before.
REFUSED_BEFORE_THE_DATABASE = [
    ("PATCH", "/v1/reps/rep-2", {"work_days": None}, "work_days"),
    ("PATCH", "/v1/reps/rep-2", {"name": None}, "name"),
    ("PATCH", "/v1/reps/rep-2", {"depot_lat": None}, "depot_lat"),
    ("PATCH", "/v1/reps/rep-2", {"depot_lon": None}, "depot_lon"),
    ("PUT", "/v1/sensors/s-cust-1/calibration", {"scale": 0}, "scale"),
    ("POST", "/v1/sensors", {"id": "s9", "kind": "line_bin", "unit": "g", "scale": 0}, "scale"),
    ("POST", "/v1/sensors", {"id": "s9", "kind": "line_bin", "unit": "g\x00"}, "unit"),
    ("PATCH", "/v1/customers/cust-1", {"name": None}, "name"),
    ("PATCH", "/v1/customers/cust-1", {"segment": None}, "segment"),
    ("PATCH", "/v1/customers/cust-1", {"lat": None}, "lat"),
    ("PATCH", "/v1/customers/cust-1", {"lon": None}, "lon"),
    ("PATCH", "/v1/customers/cust-1", {"service_minutes": None}, "service_minutes"),
    ("PATCH", "/v1/customers/cust-1", {"name": "Clinic\x00"}, "name"),
    ("PATCH", "/v1/products/gloves", {"name": None}, "name"),
    ("PATCH", "/v1/products/gloves", {"unit": None}, "unit"),
    ("PATCH", "/v1/products/gloves", {"pack_size": None}, "pack_size"),
    ("PATCH", "/v1/products/gloves", {"moq": None}, "moq"),
    ("PATCH", "/v1/products/gloves", {"lead_time_hours": None}, "lead_time_hours"),
    ("PATCH", "/v1/products/gloves", {"unit_cost": None}, "unit_cost"),
    ("PATCH", "/v1/products/gloves", {"unit_cost": 1e10}, "unit_cost"),
    ("PATCH", "/v1/stock-points/{sp}", {"capacity": None}, "capacity"),
    ("POST", "/v1/auto-approve-rules", {"name": "big", "max_value": 1e12}, "max_value"),
    # coerced before: false to 0, a string to a number, a number to a flag
    ("PATCH", "/v1/customers/cust-1", {"service_minutes": False}, "service_minutes"),
    ("PATCH", "/v1/products/gloves", {"moq": "5"}, "moq"),
    ("PATCH", "/v1/auto-approve-rules/1", {"enabled": 0}, "enabled"),
]


@pytest.mark.parametrize(("method", "path", "body", "field"), REFUSED_BEFORE_THE_DATABASE)
def test_a_value_the_database_refuses_is_refused_at_the_edge_naming_the_field(
    api: Api, method: str, path: str, body: dict[str, Any], field: str
) -> None:
    url = path.format(sp=api.stock_points["cust-1"])
    response = api.client.request(method, url, json=body, headers=api.headers("admin"))
    assert_refused(response, "body field", field)


def test_what_only_the_database_can_tell_is_named_without_quoting_the_row(api: Api) -> None:
    admin = api.headers("admin")
    client = api.client
    unknown_rep = client.patch("/v1/customers/cust-1", json={"rep_id": "rep-9"}, headers=admin)
    assert unknown_rep.status_code == 422
    assert unknown_rep.json()["error"] == {
        "code": "invalid",
        "message": "rep_id: no such rep",
        "details": {"field": "rep_id", "constraint": "customers_rep_id_fkey"},
    }
    nowhere = client.post(
        "/v1/stock-points",
        json={"customer_id": "cust-9", "product_id": "gloves", "capacity": 10},
        headers=admin,
    )
    assert nowhere.json()["error"]["message"] == "customer_id: no such customer"
    twice = client.post(
        "/v1/stock-points",
        json={"customer_id": "cust-1", "product_id": "gloves", "capacity": 10},
        headers=admin,
    )
    assert twice.status_code == 409
    assert twice.json()["error"]["message"] == (
        "a stock point with this customer_id, product_id already exists"
    )
    rule = client.post(
        "/v1/auto-approve-rules", json={"name": "x", "customer_id": "cust-9"}, headers=admin
    )
    assert rule.json()["error"]["message"] == "customer_id: no such customer"
    for response in (unknown_rep, nowhere, twice, rule):
        assert "rep-9" not in response.text and "cust-9" not in response.text
        assert "Key (" not in response.text and "Failing row" not in response.text


def test_every_422_names_its_fields_in_the_message_and_the_details(api: Api) -> None:
    many = api.client.patch(
        "/v1/customers/cust-1",
        json={"lat": "north", "lon": None, "segment": "Z", "colour": "red", "time_zone": "Mars"},
        headers=api.headers("admin"),
    )
    error = many.json()["error"]
    assert [d["field"] for d in error["details"]] == [
        "segment", "lat", "lon", "time_zone", "colour",
    ]  # fmt: skip
    for detail in error["details"]:
        assert f"body field {detail['field']}: {detail['msg']}" in error["message"]
        assert set(detail) == {"loc", "field", "in", "msg", "type"}
    assert "north" not in many.text and "Mars" not in many.text  # values are not echoed


def test_a_rule_the_edge_missed_is_named_without_quoting_the_row(
    db: psycopg.Connection[tuple[object, ...]], caplog: pytest.LogCaptureFixture
) -> None:
    """Should a value slip past the edge, PostgreSQL's refusal (which quotes the row) is
    answered by field and rule only; the operator's log gets the database's words."""
    seed(db)
    app = FastAPI()
    install_error_handlers(app)
    statements: dict[str, tuple[str, tuple[object, ...]]] = {
        "check": ("UPDATE sensors SET scale = %s WHERE id = 's-cust-1'", (0,)),
        "not-null": ("UPDATE reps SET work_days = %s WHERE id = 'rep-2'", (None,)),
        "overflow": ("UPDATE auto_approve_rules SET max_value = %s", (1e12,)),
        "nul": ("UPDATE customers SET name = %s WHERE id = 'cust-1'", ("Clinic\x00",)),
    }

    @app.get("/{what}")
    def run(what: str) -> None:
        db.execute(*statements[what])  # type: ignore[arg-type]

    client = TestClient(app)
    check = client.get("/check").json()["error"]
    assert check == {
        "code": "invalid",
        "message": "scale: the value is not one restock accepts (sensors_scale_check)",
        "details": {"field": "scale", "constraint": "sensors_scale_check"},
    }
    not_null = client.get("/not-null").json()["error"]
    assert not_null["message"] == "work_days cannot be null"
    with caplog.at_level(logging.WARNING):
        for what in ("overflow", "nul"):
            response = client.get(f"/{what}")
            assert response.status_code == 422
            assert (
                response.json()["error"]["message"] == "a value is outside what restock can store"
            )
    assert "numeric field overflow" in caplog.text
    for what in statements:
        text = client.get(f"/{what}").text
        assert "Failing row" not in text and "Baba" not in text and "Clinic" not in text
