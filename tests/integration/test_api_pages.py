"""The pages over HTTP, without a browser: sign-in and sessions, throttled guessing,
CSRF, and errors that are pages, never JSON. (The browser tests are in tests/e2e.)"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import psycopg
import pytest

from restock.api.app import create_app
from restock.api.auth import Role
from restock.api.users import create_user
from restock.core.clock import ManualClock
from restock.core.settings import Settings
from tests.integration.test_api_fixtures import NOW, TestClient, seed

PASSWORD = "a long enough password"


@dataclass
class Site:
    client: TestClient
    clock: ManualClock
    url: str

    def sign_in(self, name: str, password: str = PASSWORD, next_page: str = "") -> object:
        form = self.client.get("/ui/sign-in").text
        token = re.search(r'name="form_token" value="([^"]+)"', form)
        assert token is not None
        return self.client.post(
            "/ui/sign-in",
            data={"name": name, "password": password, "form_token": token[1], "next": next_page},
            follow_redirects=False,
        )

    def csrf(self, path: str) -> str:
        found = re.search(r'name="csrf" value="([^"]+)"', self.client.get(path).text)
        assert found is not None
        return found[1]


@pytest.fixture
def site(database_url: str) -> Iterator[Site]:
    with psycopg.connect(database_url, autocommit=True) as conn:
        seed(conn)
        create_user(conn, "aoki", Role.planner, PASSWORD, at=NOW)
        create_user(conn, "baba", Role.rep, PASSWORD, at=NOW, rep_id="rep-2")
    clock = ManualClock(NOW)
    settings = Settings(database_url=database_url, api_pool_min=1, api_pool_max=4)
    with TestClient(create_app(settings, clock=clock)) as client:
        yield Site(client=client, clock=clock, url=database_url)


def _draft(url: str) -> int:
    """A draft for cust-1 with one line of 12 on its stock point."""
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "INSERT INTO orders (customer_id, as_of, deliver_at, value, created_at, updated_at)"
            " VALUES ('cust-1', %s, %s, 1200, %s, %s) RETURNING id",
            (NOW, NOW, NOW, NOW),
        ).fetchone()
        assert row is not None
        conn.execute(
            "INSERT INTO order_lines (order_id, stock_point_id, quantity, suggested_quantity,"
            " reason) SELECT %s, id, 12, 12, 'due' FROM stock_points"
            " WHERE customer_id = 'cust-1' LIMIT 1",
            (row[0],),
        )
    return int(row[0])


def _status(url: str, order_id: int) -> str:
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT status FROM orders WHERE id = %s", (order_id,)).fetchone()
    assert row is not None
    return str(row[0])


def test_signed_out_pages_send_to_sign_in_and_back(site: Site) -> None:
    answer = site.client.get("/ui/orders?rep=rep-1", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/ui/sign-in?next=%2Fui%2Forders%3Frep%3Drep-1"
    signed = site.sign_in("aoki", next_page="/ui/orders?rep=rep-1")
    assert signed.status_code == 303  # type: ignore[attr-defined]
    assert signed.headers["location"] == "/ui/orders?rep=rep-1"  # type: ignore[attr-defined]
    cookie = signed.headers["set-cookie"]  # type: ignore[attr-defined]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "restock_session=" in cookie
    page = site.client.get("/ui/orders?rep=rep-1")
    assert page.status_code == 200 and "Orders to decide" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    # somewhere else after sign-in is refused: only our own pages
    assert site.sign_in("aoki", next_page="//evil.example/").headers["location"] == "/ui/orders"  # type: ignore[attr-defined]


def test_a_rep_lands_on_their_day_and_planner_pages_say_no_in_words(site: Site) -> None:
    assert site.sign_in("baba").headers["location"] == "/ui/day"  # type: ignore[attr-defined]
    answer = site.client.get("/ui/orders")
    assert answer.status_code == 403
    assert answer.headers["content-type"].startswith("text/html")
    assert "this page is for planners" in answer.text
    missing = site.client.get("/ui/customers/cust-1")  # another rep's customer
    assert missing.status_code == 404 and "customer &#39;cust-1&#39; not found" in missing.text
    assert site.client.get("/ui/no-such-page").status_code == 404


def test_wrong_passwords_slow_guessing_down(site: Site) -> None:
    for _ in range(5):
        wrong = site.sign_in("aoki", "not the password")
        assert wrong.status_code == 401  # type: ignore[attr-defined]
        assert "user name or password is wrong" in wrong.text  # type: ignore[attr-defined]
    refused = site.sign_in("aoki")  # the right password, but too many failures stand
    assert refused.status_code == 429  # type: ignore[attr-defined]
    assert "too many failed sign-ins" in refused.text  # type: ignore[attr-defined]
    site.clock.advance(timedelta(minutes=16))
    assert site.sign_in("aoki").status_code == 303  # type: ignore[attr-defined]


def test_changes_need_the_sessions_token(site: Site) -> None:
    order_id = _draft(site.url)
    site.sign_in("aoki")
    forged = site.client.post(
        f"/ui/orders/{order_id}/approve", data={"csrf": "forged"}, follow_redirects=False
    )
    assert forged.status_code == 303 and _status(site.url, order_id) == "draft"
    shown = site.client.get(forged.headers["location"])
    assert "this form has expired" in shown.text
    token = site.csrf("/ui/orders")
    done = site.client.post(
        f"/ui/orders/{order_id}/approve", data={"csrf": token}, follow_redirects=False
    )
    assert done.status_code == 303 and _status(site.url, order_id) == "approved"
    again = site.client.post(
        f"/ui/orders/{order_id}/approve", data={"csrf": token}, follow_redirects=True
    )
    assert again.headers["content-type"].startswith("text/html")
    assert f"order {order_id} is approved: cannot approve it" in again.text


def test_rejecting_needs_a_reason(site: Site) -> None:
    order_id = _draft(site.url)
    site.sign_in("aoki")
    token = site.csrf("/ui/orders")
    answer = site.client.post(f"/ui/orders/{order_id}/reject", data={"csrf": token, "reason": "  "})
    assert "the reason is required" in answer.text and _status(site.url, order_id) == "draft"
    site.client.post(f"/ui/orders/{order_id}/reject", data={"csrf": token, "reason": "closed"})
    assert _status(site.url, order_id) == "rejected"


def test_sessions_end_at_sign_out_and_when_they_expire(site: Site) -> None:
    site.sign_in("aoki")
    token = site.csrf("/ui/orders")
    site.client.post("/ui/sign-out", data={"csrf": token})
    assert site.client.get("/ui/orders", follow_redirects=False).status_code == 303
    site.sign_in("aoki")
    assert site.client.get("/ui/orders", follow_redirects=False).status_code == 200
    site.clock.advance(timedelta(hours=12, minutes=1))
    assert site.client.get("/ui/orders", follow_redirects=False).status_code == 303


def test_docs_are_served_from_the_package(site: Site) -> None:
    docs = site.client.get("/docs")
    assert docs.status_code == 200
    scripts = re.findall(r'<script src="([^"]+)"', docs.text)
    assert scripts and all(s.startswith("/ui/static/vendor/") for s in scripts)
    assert site.client.get(scripts[0]).status_code == 200
