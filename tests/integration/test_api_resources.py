"""Resources through the API: sensors managed end to end, charts downsampled, forecasts
read back, and constraint violations answered as 409/422 with the constraint named."""

from __future__ import annotations

from datetime import timedelta

import psycopg

from restock.api.app import create_app
from restock.core.clock import ManualClock
from restock.core.settings import Settings
from tests.integration.test_api_fixtures import (  # noqa: F401 (fixture)
    NOW,
    Api,
    TestClient,
    api_fixture,
)


def test_a_sensor_is_registered_bound_calibrated_and_disabled(api: Api) -> None:
    staff = api.headers("planner")
    client = api.client
    sp = api.stock_points["cust-2"]
    created = client.post(
        "/v1/sensors", json={"id": "shelf-9", "kind": "shelf_weight", "unit": "g"}, headers=staff
    )
    assert created.status_code == 201 and created.json()["stock_point_id"] is None
    again = client.post(
        "/v1/sensors", json={"id": "shelf-9", "kind": "shelf_weight", "unit": "g"}, headers=staff
    )
    assert again.status_code == 409
    assert again.json()["error"] == {
        "code": "conflict",
        "message": "a sensor with this id already exists",
        "details": {"field": "id", "constraint": "sensors_pkey"},
    }
    bound = client.put("/v1/sensors/shelf-9/binding", json={"stock_point_id": sp}, headers=staff)
    assert bound.json()["stock_point_id"] == sp
    nowhere = client.put(
        "/v1/sensors/shelf-9/binding", json={"stock_point_id": 999999}, headers=staff
    )
    assert nowhere.status_code == 422
    assert nowhere.json()["error"] == {
        "code": "invalid",
        "message": "stock_point_id: no such stock point",
        "details": {"field": "stock_point_id", "constraint": "sensors_stock_point_id_fkey"},
    }
    calibrated = client.put(
        "/v1/sensors/shelf-9/calibration", json={"tare": 120.0, "scale": 0.02}, headers=staff
    ).json()
    assert (calibrated["tare"], calibrated["scale"]) == (120.0, 0.02)
    assert client.post("/v1/sensors/shelf-9/disable", headers=staff).json()["enabled"] is False
    listed = client.get("/v1/sensors", params={"stock_point_id": sp}, headers=staff).json()
    assert {s["id"] for s in listed} == {"s-cust-2", "shelf-9"}
    assert client.put(
        "/v1/sensors/ghost/calibration", json={"tare": 0, "scale": 1}, headers=staff
    ).json()["error"] == {
        "code": "not_found",
        "message": "sensor 'ghost' not found",
        "details": None,
    }


def test_customers_and_reps_take_time_zones_opening_and_working_hours(api: Api) -> None:
    staff, admin = api.headers("planner"), api.headers("admin")
    client = api.client
    hours = {"1": [["09:00", "12:00"], ["13:00", "18:00"]], "5": [["17:00", "24:00"]]}
    created = client.post(
        "/v1/customers",
        json={"id": "bakery", "name": "Bakery", "segment": "B", "lat": 52.5, "lon": 13.4,
              "time_zone": "Europe/Berlin", "opening_hours": hours},
        headers=staff,
    )  # fmt: skip
    assert created.status_code == 201, created.text
    assert (created.json()["time_zone"], created.json()["opening_hours"]) == (
        "Europe/Berlin",
        hours,
    )
    changed = client.patch(
        "/v1/customers/cust-1",
        json={"time_zone": "Asia/Seoul", "opening_hours": {"6": [["10:00", "14:00"]]}},
        headers=staff,
    )
    assert changed.status_code == 200, changed.text
    again = client.get("/v1/customers/cust-1", headers=staff).json()
    assert (again["time_zone"], again["opening_hours"]) == (
        "Asia/Seoul",
        {"6": [["10:00", "14:00"]]},
    )

    rep = client.post(
        "/v1/reps",
        json={"id": "rep-3", "name": "Chiba", "depot_lat": 35.6, "depot_lon": 140.1,
              "work_start": "08:30", "work_end": "17:30", "work_days": [1, 2, 3, 4, 5, 6],
              "time_zone": "Asia/Tokyo"},
        headers=admin,
    )  # fmt: skip
    assert rep.status_code == 201, rep.text
    assert (rep.json()["work_start"], rep.json()["work_end"]) == ("08:30", "17:30")
    later = client.patch(
        "/v1/reps/rep-1",
        json={"work_start": "10:00", "work_end": "19:00", "time_zone": "Asia/Seoul"},
        headers=admin,
    )
    assert later.status_code == 200, later.text
    stored = client.get("/v1/reps/rep-1", headers=admin).json()
    assert (stored["work_start"], stored["work_end"], stored["time_zone"]) == (
        "10:00",
        "19:00",
        "Asia/Seoul",
    )
    backwards = client.patch(
        "/v1/reps/rep-1", json={"work_start": "19:00", "work_end": "10:00"}, headers=admin
    )
    assert backwards.status_code == 422
    assert "work_start must be before work_end" in backwards.json()["error"]["message"]


def test_a_chart_cuts_the_range_into_buckets_of_avg_min_max(api: Api) -> None:
    sp = api.stock_points["cust-1"]
    chart = api.client.get(
        f"/v1/stock-points/{sp}/readings",
        params={
            "start": (NOW - timedelta(hours=48)).isoformat(),
            "end": NOW.isoformat(),
            "max_points": 2,
        },
        headers=api.headers("rep"),
    ).json()
    assert chart["bucket_seconds"] == 24 * 3600
    points = [(p["min"], p["max"], p["quantity"], p["readings"]) for p in chart["points"]]
    assert points == [(77.0, 100.0, 88.5, 24), (53.0, 76.0, 64.5, 24)]
    backwards = api.client.get(
        f"/v1/stock-points/{sp}/readings",
        params={"start": NOW.isoformat(), "end": (NOW - timedelta(hours=1)).isoformat()},
        headers=api.headers("rep"),
    )
    assert backwards.status_code == 422


def test_the_latest_forecast_says_when_the_shelf_runs_out(api: Api) -> None:
    sp = api.stock_points["cust-1"]
    latest = api.client.get(
        f"/v1/stock-points/{sp}/forecasts/latest", headers=api.headers("planner")
    ).json()
    assert latest["level"] == 52.0
    assert latest["stockout_p50"] == (NOW + timedelta(hours=52)).isoformat().replace("+00:00", "Z")


def test_patching_a_rule_clears_a_limit_with_null_but_never_its_name(api: Api) -> None:
    staff = api.headers("planner")
    cleared = api.client.patch("/v1/auto-approve-rules/1", json={"max_value": None}, headers=staff)
    assert cleared.status_code == 200 and cleared.json()["max_value"] is None
    nameless = api.client.patch(
        "/v1/auto-approve-rules/1", json={"name": None, "min_battery": None}, headers=staff
    )
    assert nameless.status_code == 422
    refused = {(d["field"], d["type"]) for d in nameless.json()["error"]["details"]}
    assert refused == {("name", "not_null"), ("min_battery", "not_null")}
    assert api.client.get("/v1/auto-approve-rules/1", headers=staff).json()["name"] == "default"


def last_visited_ten_days_before_the_23rd(database_url: str) -> None:
    """cust-1 (segment A, rep-1) moves next door to the depot (worth the optional stop)
    and was last visited on 2026-11-13."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("UPDATE customers SET lat = 35.681, lon = 139.761 WHERE id = 'cust-1'")
        conn.execute(
            "INSERT INTO planned_visits (rep_id, customer_id, day, planned_at, purposes, status,"
            " done_at) VALUES ('rep-1', 'cust-1', '2026-11-13', %s, '{cadence}', 'done', %s)",
            (NOW - timedelta(days=7), NOW - timedelta(days=7)),
        )


def test_planning_a_route_follows_the_configured_visit_cadence(api: Api, database_url: str) -> None:
    last_visited_ten_days_before_the_23rd(database_url)
    path = "/v1/reps/rep-1/routes/2026-11-23"
    weekly = api.client.post(path, headers=api.headers("planner")).json()
    assert [(s["customer_id"], s["purposes"]) for s in weekly["stops"]] == [("cust-1", ["cadence"])]
    settings = Settings(
        database_url=database_url,
        replenish_cadence_days={"A": 14, "B": 30, "C": 90},
    )
    with TestClient(create_app(settings, clock=ManualClock(NOW))) as client:
        fortnightly = client.post(path, headers=api.headers("planner")).json()
    assert fortnightly["stops"] == []


def test_a_visit_the_rep_records_restarts_the_customers_cadence(
    api: Api, database_url: str
) -> None:
    last_visited_ten_days_before_the_23rd(database_url)  # weekly: due on the 23rd
    rep, planner = api.headers("rep"), api.headers("planner")
    path = "/v1/reps/rep-1/routes/2026-11-23"
    assert [s["customer_id"] for s in api.client.post(path, headers=planner).json()["stops"]] == [
        "cust-1"
    ]  # its cadence visit, now a planned visit on the 23rd
    made = api.client.post("/v1/reps/rep-1/visits", json={"customer_id": "cust-1"}, headers=rep)
    assert made.status_code == 201
    assert made.json()["customer_id"] == "cust-1"
    assert api.client.post(path, headers=planner).json()["stops"] == []
    with psycopg.connect(database_url) as conn:  # re-planning cancelled the 23rd's visit
        assert conn.execute(
            "SELECT status, count(*) FROM planned_visits WHERE customer_id = 'cust-1'"
            " GROUP BY status ORDER BY status"
        ).fetchall() == [("cancelled", 1), ("done", 2)]
    # another rep's customer, or another rep's visits: not found
    other = api.client.post("/v1/reps/rep-1/visits", json={"customer_id": "cust-2"}, headers=rep)
    assert other.status_code == 404 and "cust-2" in other.json()["error"]["message"]
    elsewhere = {"customer_id": "cust-2"}
    assert api.client.post("/v1/reps/rep-2/visits", json=elsewhere, headers=rep).status_code == 404
