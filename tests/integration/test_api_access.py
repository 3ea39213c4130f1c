"""The access matrix: every role (and no token) against every endpoint family.

No token or an unknown one is 401; a known token whose role may not do this is 403;
an allowed role succeeds. A rep sees only their own customers' data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.integration.test_api_fixtures import Api, api_fixture  # noqa: F401 (fixture)

ALL = {"admin", "planner", "rep", "device"}
READERS = {"admin", "planner", "rep"}
STAFF = {"admin", "planner"}


@dataclass(frozen=True)
class Family:
    name: str
    method: str
    path: str
    allowed: set[str]
    body: dict[str, Any] | None = None
    ok: frozenset[int] = frozenset({200, 201, 204})  # what an allowed role gets


def families(sp: int) -> list[Family]:
    """One representative request per endpoint family; `{who}` makes created ids unique."""
    return [
        Family("me", "GET", "/v1/me", ALL),
        Family("tokens", "GET", "/v1/tokens", {"admin"}),
        Family("tokens-create", "POST", "/v1/tokens", {"admin"}, {"role": "planner"}),
        Family("customers", "GET", "/v1/customers", READERS),
        Family("customer", "GET", "/v1/customers/cust-1", READERS),
        Family(
            "customers-write",
            "POST",
            "/v1/customers",
            STAFF,
            {"id": "new-{who}", "name": "New", "segment": "C", "lat": 35, "lon": 139},
        ),
        Family("reps", "GET", "/v1/reps", READERS),
        Family(
            "reps-write",
            "POST",
            "/v1/reps",
            {"admin"},
            {"id": "rep-{who}", "name": "New", "depot_lat": 35, "depot_lon": 139},
        ),
        Family("products", "GET", "/v1/products", READERS),
        Family("products-write", "PATCH", "/v1/products/gloves", STAFF, {"moq": 5}),
        Family("stock-points", "GET", f"/v1/stock-points/{sp}", READERS),
        Family("stock-points-write", "PATCH", f"/v1/stock-points/{sp}", STAFF, {"capacity": 120}),
        Family("sensors", "GET", "/v1/sensors", READERS),
        Family(
            "sensors-register",
            "POST",
            "/v1/sensors",
            STAFF,
            {"id": "new-{who}", "kind": "shelf_weight", "unit": "g"},
        ),
        Family(
            "sensors-calibrate",
            "PUT",
            "/v1/sensors/s-cust-1/calibration",
            STAFF,
            {"tare": 1.0, "scale": 0.5},
        ),
        Family("sensors-disable", "POST", "/v1/sensors/s-cust-1/disable", STAFF),
        Family("readings", "GET", f"/v1/stock-points/{sp}/readings", READERS),
        Family("forecasts", "GET", "/v1/forecasts/latest", READERS),
        Family("forecast-history", "GET", f"/v1/stock-points/{sp}/forecasts", READERS),
        Family("rejected", "GET", "/v1/rejected-messages", STAFF),
        Family("orders", "GET", "/v1/orders", READERS),
        Family("order-approve", "POST", "/v1/orders/999/approve", STAFF, ok=frozenset({404})),
        Family("orders-bulk", "POST", "/v1/orders/approve", STAFF, {"order_ids": [999]}),
        Family("rules", "GET", "/v1/auto-approve-rules", STAFF),
        Family("rules-write", "POST", "/v1/auto-approve-rules", STAFF, {"name": "r-{who}"}),
        Family("triggers", "GET", "/v1/triggers", READERS),
        Family("trigger-ack", "POST", "/v1/triggers/999/acknowledge", READERS, ok=frozenset({404})),
        Family("route", "GET", "/v1/reps/rep-1/routes/2026-11-20", READERS, ok=frozenset({404})),
        Family("route-plan", "POST", "/v1/reps/rep-1/routes/2026-11-23", STAFF),
        Family("visit", "POST", "/v1/reps/rep-1/visits", READERS, {"customer_id": "cust-1"}),
        Family("kpis", "GET", "/v1/kpis", READERS),
    ]


FAMILY_NAMES = [f.name for f in families(0)]


def _call(api: Api, family: Family, who: str | None) -> Any:
    body = family.body
    if body is not None:
        body = {k: v.format(who=who) if isinstance(v, str) else v for k, v in body.items()}
    return api.client.request(family.method, family.path, json=body, headers=api.headers(who))


@pytest.mark.parametrize("name", FAMILY_NAMES)
def test_every_role_gets_the_status_its_role_allows(api: Api, name: str) -> None:
    family = next(f for f in families(api.stock_points["cust-1"]) if f.name == name)
    outcomes = {}
    for who in (None, "admin", "planner", "rep", "device"):
        outcomes[who] = _call(api, family, who).status_code
    expected = {
        who: 401 if who is None else ("ok" if who in family.allowed else 403) for who in outcomes
    }
    got = {who: "ok" if status in family.ok else status for who, status in outcomes.items()}
    assert got == expected


def test_401_and_403_carry_the_one_error_shape(api: Api) -> None:
    missing = api.client.get("/v1/customers")
    unknown = api.client.get("/v1/customers", headers={"Authorization": "Bearer rst_nope"})
    denied = api.client.get("/v1/rejected-messages", headers=api.headers("rep"))
    assert missing.status_code == unknown.status_code == 401
    assert missing.headers["www-authenticate"] == "Bearer"
    assert denied.status_code == 403
    for response in (missing, unknown, denied):
        error = response.json()["error"]
        assert set(error) == {"code", "message", "details"}
    assert denied.json()["error"]["code"] == "forbidden"


def test_a_rep_sees_only_their_own_customers(api: Api) -> None:
    rep = api.headers("rep")
    other_sp = api.stock_points["cust-2"]
    customers = api.client.get("/v1/customers", headers=rep).json()
    assert [c["id"] for c in customers] == ["cust-1"]
    assert api.client.get("/v1/customers/cust-2", headers=rep).status_code == 404
    assert api.client.get(f"/v1/stock-points/{other_sp}/readings", headers=rep).status_code == 404
    assert api.client.get(f"/v1/stock-points/{other_sp}/forecasts", headers=rep).status_code == 404
    assert api.client.get("/v1/sensors/s-cust-2", headers=rep).status_code == 404
    latest = api.client.get("/v1/forecasts/latest", headers=rep).json()
    assert [f["customer_id"] for f in latest] == ["cust-1"]
    reps = api.client.get("/v1/reps", headers=rep).json()
    assert [r["id"] for r in reps] == ["rep-1"]
    planner = api.client.get("/v1/customers", headers=api.headers("planner")).json()
    assert [c["id"] for c in planner] == ["cust-1", "cust-2"]


def test_a_revoked_token_stops_working_at_once(api: Api) -> None:
    admin = api.headers("admin")
    issued = api.client.post("/v1/tokens", json={"role": "planner"}, headers=admin).json()
    mine = {"Authorization": f"Bearer {issued['token']}"}
    assert api.client.get("/v1/me", headers=mine).json()["role"] == "planner"
    assert api.client.delete(f"/v1/tokens/{issued['id']}", headers=admin).status_code == 204
    assert api.client.get("/v1/me", headers=mine).status_code == 401
