"""Health, readiness and metrics: what an orchestrator and Prometheus see."""

from __future__ import annotations

import psycopg

from restock.api.app import create_app
from restock.core.migrate import available_migrations
from restock.core.settings import Settings
from tests.integration.test_api_fixtures import Api, TestClient, api_fixture  # noqa: F401


def test_ready_reports_the_schema_and_metrics_count_requests_by_route(api: Api) -> None:
    ready = api.client.get("/ready")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "schema_version": available_migrations()[-1].version}
    sp = api.stock_points["cust-1"]
    for _ in range(3):
        api.client.get(f"/v1/stock-points/{sp}/readings", headers=api.headers("planner"))
    text = api.client.get("/metrics").text
    assert (
        'restock_http_requests_total{method="GET",route="/v1/stock-points/{stock_point_id}/readings"'
        ',status="200"} 3.0'
    ) in text


def test_ready_is_503_while_the_schema_lags_and_health_stays_ok(database_url: str) -> None:
    *_, before, latest = (m.version for m in available_migrations())
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("DELETE FROM schema_migrations WHERE version = %s", (latest,))
    with TestClient(create_app(Settings(database_url=database_url))) as client:
        assert client.get("/health").json()["status"] == "ok"
        ready = client.get("/ready")
        assert ready.status_code == 503
        assert ready.json()["error"]["message"] == (
            f"database schema is at {before}, restock needs {latest}"
        )
