"""A database outage: requests answer 503 in the one error shape after the configured
wait (not psycopg_pool's 30 s default); connections a database restart killed are
replaced before a request uses them."""

from __future__ import annotations

import time

import psycopg

from restock.api.app import create_app
from restock.core.local_broker import free_port
from restock.core.settings import Settings
from tests.integration.test_api_fixtures import Api, TestClient, api_fixture  # noqa: F401


def test_with_no_database_requests_answer_503_after_the_configured_wait() -> None:
    nowhere = f"postgresql://postgres@127.0.0.1:{free_port()}/restock"  # nothing listens
    settings = Settings(database_url=nowhere, api_db_wait_s=0.5)
    with TestClient(create_app(settings)) as client:
        assert client.get("/health").status_code == 200
        for path in ("/v1/me", "/v1/orders", "/v1/auto-approve-rules"):
            started = time.monotonic()
            response = client.get(path, headers={"Authorization": "Bearer rst_whatever"})
            waited = time.monotonic() - started
            assert response.status_code == 503, path
            assert response.json()["error"]["code"] == "unavailable"
            assert waited < 10, f"{path} waited {waited:.1f}s"  # the 0.5 s wait, not 30 s
        assert client.get("/ready").status_code == 503


def test_connections_lost_under_the_pool_are_replaced_before_a_request_uses_them(
    api: Api, db: psycopg.Connection
) -> None:
    planner = api.headers("planner")
    for _ in range(3):  # several pooled connections in use
        assert api.client.get("/v1/orders", headers=planner).status_code == 200
    killed = db.execute(  # the database restarts under the API's pooled connections
        "SELECT pid FROM pg_stat_activity"
        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
    ).fetchall()
    assert killed
    for (pid,) in killed:
        db.execute("SELECT pg_terminate_backend(%s, 5000)", (pid,))  # waits for it to exit
    answers = [api.client.get("/v1/orders", headers=planner).status_code for _ in range(6)]
    answers += [api.client.get("/v1/auto-approve-rules", headers=planner).status_code]
    assert answers == [200] * 7
