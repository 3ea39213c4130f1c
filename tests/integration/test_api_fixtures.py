"""Fixtures shared by the API tests: a small seeded world, the app, a token per role.

(A test_ module so it sits with the API tests; it holds no tests itself.)
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from starlette.exceptions import StarletteDeprecationWarning

with warnings.catch_warnings():
    # starlette 1.x would rather TestClient ran on `httpx2`; httpx is what we ship
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

__all__ = ["NOW", "Api", "TestClient", "api_fixture", "seed"]

from restock.api.app import create_app
from restock.api.auth import Role, create_token
from restock.core.clock import ManualClock
from restock.core.settings import Settings

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@dataclass
class Api:
    client: TestClient
    tokens: dict[str, str]  # role name (or "rep-2") -> token
    stock_points: dict[str, int]  # customer id -> its stock point

    def headers(self, who: str | None) -> dict[str, str]:
        return {} if who is None else {"Authorization": f"Bearer {self.tokens[who]}"}


def seed(conn: psycopg.Connection[tuple[object, ...]]) -> dict[str, int]:
    """Two reps with one customer each, a product, a stock point, sensor and readings each."""
    conn.execute(
        "INSERT INTO reps (id, name, depot_lat, depot_lon) VALUES"
        " ('rep-1', 'Aoki', 35.68, 139.76), ('rep-2', 'Baba', 34.69, 135.50)"
    )
    conn.execute(
        "INSERT INTO customers (id, name, segment, rep_id, lat, lon) VALUES"
        " ('cust-1', 'Clinic', 'A', 'rep-1', 35.7, 139.7),"
        " ('cust-2', 'Diner', 'B', 'rep-2', 34.7, 135.5)"
    )
    conn.execute("INSERT INTO products (id, name, unit) VALUES ('gloves', 'Gloves', 'box')")
    run = conn.execute(
        "INSERT INTO forecast_runs (as_of, horizon_hours) VALUES (%s, 168) RETURNING id", (NOW,)
    ).fetchone()
    assert run is not None
    points: dict[str, int] = {}
    for customer in ("cust-1", "cust-2"):
        row = conn.execute(
            "INSERT INTO stock_points (customer_id, product_id, capacity)"
            " VALUES (%s, 'gloves', 100) RETURNING id",
            (customer,),
        ).fetchone()
        assert row is not None
        sp = int(row[0])  # type: ignore[call-overload]
        points[customer] = sp
        sensor = f"s-{customer}"
        conn.execute(
            "INSERT INTO sensors (id, stock_point_id, kind, unit)"
            " VALUES (%s, %s, 'shelf_count', 'count')",
            (sensor, sp),
        )
        with conn.cursor().copy(
            "COPY readings (time, sensor_id, raw_value, quantity) FROM STDIN"
        ) as cp:
            for hour in range(48):
                level = 100.0 - hour
                cp.write_row((NOW - timedelta(hours=48 - hour), sensor, level, level))
        conn.execute(
            "INSERT INTO forecasts (stock_point_id, as_of, run_id, model, level, rate_per_hour,"
            " stockout_p50, horizon_hours, stockout_cdf, cdf_step_hours, history_start,"
            " history_end)"
            " VALUES (%s, %s, %s, 'rate', 52, 1, %s, 168, '{0,0.5,1}', 2, %s, %s)",
            (sp, NOW, run[0], NOW + timedelta(hours=52), NOW - timedelta(hours=48), NOW),
        )
    conn.execute(
        "INSERT INTO rejected_messages (received_at, topic, payload, reason)"
        " VALUES (%s, 'restock/v1/sensors/x/level', 'not json', 'bad_json')",
        (NOW,),
    )
    return points


@pytest.fixture(name="api")
def api_fixture(database_url: str) -> Iterator[Api]:
    with psycopg.connect(database_url, autocommit=True) as conn:
        points = seed(conn)
        tokens = {
            role.value: create_token(conn, role, rep_id="rep-1" if role is Role.rep else None).token
            for role in Role
        }
        tokens["rep-2"] = create_token(conn, Role.rep, rep_id="rep-2").token
    settings = Settings(database_url=database_url, api_pool_min=1, api_pool_max=4)
    app = create_app(settings, clock=ManualClock(NOW))
    with TestClient(app) as client:
        yield Api(client=client, tokens=tokens, stock_points=points)
