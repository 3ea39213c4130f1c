"""The rep's day on a 390 px phone, in a real browser: the route, map, van load and visit
briefs; check-in and check-out with a note; the next rep reading it after the customer
is handed over; triggers seen and done; only the rep's own customers."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from tests.e2e.conftest import Pages

pytestmark = pytest.mark.slow


def _rows(url: str, sql: str, *params: Any) -> list[Any]:
    with psycopg.connect(url, autocommit=True) as conn:
        cur = conn.execute(sql, params)
        return cur.fetchall() if cur.description else []


def _first_stop(url: str, rep: str) -> str:
    return str(
        _rows(
            url,
            "SELECT s.customer_id FROM route_stops s JOIN routes r ON r.id = s.route_id"
            " WHERE r.rep_id = %s ORDER BY s.seq LIMIT 1",
            rep,
        )[0][0]
    )


def test_the_reps_day_on_a_phone(phone: Pages, pages_database: str) -> None:
    page = phone.page
    phone.sign_in("sato")
    assert page.url.endswith("/ui/day")
    stops = page.locator("ol.stops > li")
    planned = _rows(
        pages_database,
        "SELECT count(*) FROM route_stops s JOIN routes r ON r.id = s.route_id"
        " WHERE r.rep_id = 'rep-sato'",
    )[0][0]
    assert stops.count() == planned > 0
    assert "JST" in page.locator(".summary").inner_text()
    assert page.locator("figure.map svg .map-pt").count() == planned + 1  # and the depot
    assert page.get_by_role("heading", name="Van load").is_visible()
    # readable on a phone: nothing wider than the screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    phone.check("rep-day")

    stops.first.get_by_role("link", name="Open the visit brief").click()
    for heading in (
        "Why this visit",
        "What to deliver",
        "What to propose",
        "What to find out",
        "Next action",
    ):
        assert page.get_by_role("heading", name=heading).is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    phone.check("rep-brief")


def test_a_visit_is_logged_and_the_next_rep_reads_it(phone: Pages, pages_database: str) -> None:
    page = phone.page
    customer = _first_stop(pages_database, "rep-sato")
    phone.sign_in("sato")
    phone.go(f"/ui/customers/{customer}")
    page.get_by_role("button", name="Check in").click()
    assert "Checked in" in phone.flash()
    page.get_by_label("Proposal made").check()
    page.get_by_label("Notes").fill("Owner wants a bigger milk fridge before the holidays.")
    page.get_by_label("Next action", exact=True).fill("Bring the quote for the 60-pack fridge")
    page.get_by_label("Next action by").fill("2026-11-27")
    phone.check("rep-check-out")
    page.get_by_role("button", name="Check out").click()
    assert f"Visit to {customer} recorded" in phone.flash()
    assert page.url.endswith("/ui/day")
    logged = _rows(
        pages_database,
        "SELECT rep_id, outcome, notes, next_action FROM visit_log WHERE customer_id = %s",
        customer,
    )
    assert logged == [
        (
            "rep-sato",
            "proposal_made",
            "Owner wants a bigger milk fridge before the holidays.",
            "Bring the quote for the 60-pack fridge",
        )
    ]
    assert "visited" in page.locator("ol.stops > li").first.inner_text().lower()

    # the customer is handed over: the new rep reads what the last one found
    _rows(pages_database, "UPDATE customers SET rep_id = 'rep-tanaka' WHERE id = %s", customer)
    phone.sign_out()
    phone.sign_in("tanaka")
    phone.go(f"/ui/customers/{customer}")
    history = page.locator("ol.history").inner_text()
    assert "rep-sato" in history and "bigger milk fridge" in history
    brief = page.locator("section.brief").inner_text()
    assert "From the last visit: Bring the quote for the 60-pack fridge" in brief
    phone.check("rep-history")


def test_triggers_are_seen_and_done_from_the_page(phone: Pages, pages_database: str) -> None:
    page = phone.page
    phone.sign_in("sato")
    phone.go("/ui/triggers")
    cards = page.locator("li.trigger")
    assert cards.count() > 0
    phone.check("rep-triggers")
    first = page.get_by_role("button", name="Mark trigger").first
    trigger_id = int((first.get_attribute("aria-label") or "").split()[2])
    page.get_by_role("button", name=f"Mark trigger {trigger_id} seen").click()
    assert f"Trigger {trigger_id}: seen" in phone.flash()
    status = "SELECT status, acknowledged_by FROM visit_triggers WHERE id = %s"
    assert _rows(pages_database, status, trigger_id) == [("acknowledged", "rep:sato")]
    page.get_by_role("button", name=f"Mark trigger {trigger_id} done").click()
    assert f"Trigger {trigger_id}: done" in phone.flash()
    assert _rows(pages_database, status, trigger_id)[0][0] == "completed"


def test_a_rep_sees_only_their_own(phone: Pages, pages_database: str) -> None:
    page = phone.page
    theirs = _first_stop(pages_database, "rep-tanaka")
    phone.sign_in("sato")
    answer = phone.go(f"/ui/customers/{theirs}")
    assert answer.status == 404
    assert f"customer '{theirs}' not found" in page.locator("[role=alert]").inner_text()
    answer = phone.go("/ui/orders")
    assert answer.status == 403 and "for planners" in page.inner_text("main")
