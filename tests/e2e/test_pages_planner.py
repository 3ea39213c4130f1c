"""The planner's workbench in a real browser: sign-in, the queue, an order's chart and
reasoning, approve / edit in packs / reject with a reason, bulk approve, rules, sensors,
KPIs, and the API docs with no internet."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from tests.e2e.conftest import Pages

pytestmark = pytest.mark.slow


def _one(url: str, sql: str, *params: Any) -> Any:
    with psycopg.connect(url) as conn:
        row = conn.execute(sql, params).fetchone()
    assert row is not None
    return row


def _draft_ids(url: str) -> list[int]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT id FROM orders WHERE status = 'draft' ORDER BY id").fetchall()
    return [int(r[0]) for r in rows]


def test_a_signed_out_visit_goes_to_sign_in_and_then_to_the_page_asked_for(
    desktop: Pages, pages_database: str
) -> None:
    order_id = _draft_ids(pages_database)[0]
    desktop.go(f"/ui/orders/{order_id}")
    assert "/ui/sign-in" in desktop.page.url
    desktop.check("sign-in")
    desktop.sign_in("planner", "wrong password", here=True)
    assert "wrong" in desktop.page.locator("[role=alert]").inner_text()
    desktop.errors.clear()  # the browser logs the 401 answer
    desktop.sign_in("planner", here=True)
    assert desktop.page.url.endswith(f"/ui/orders/{order_id}")


def test_the_planner_reviews_edits_rejects_and_approves_from_the_pages(
    desktop: Pages, pages_database: str
) -> None:
    page = desktop.page
    desktop.sign_in("planner")
    assert page.url.endswith("/ui/orders")
    rows = page.locator("table.queue tbody tr")
    assert rows.count() == len(_draft_ids(pages_database)) >= 3
    # names, not ids; local times with their zone; why each waits
    first = rows.first.inner_text()
    assert "JST" in first and "rule “default”" in first and "old" in first
    desktop.check("planner-queue")

    order_id = int(rows.first.get_attribute("data-order") or 0)
    rows.first.get_by_role("link", name="Review").click()
    assert page.url.endswith(f"/ui/orders/{order_id}")
    assert page.locator("canvas").count() >= 1
    assert "Expected to run out around" in page.locator(".story").first.inner_text()
    desktop.check("planner-order")

    # edit in packs: one pack of the first line
    packs = page.locator("input[data-pack]").first
    pack_size = float(packs.get_attribute("data-pack") or 0)
    stock_point = int((packs.get_attribute("id") or "").removeprefix("packs-"))
    packs.fill("1")
    page.get_by_role("button", name="Save quantities").click()
    assert "1 line(s) changed" in desktop.flash()
    quantity = _one(
        pages_database,
        "SELECT quantity FROM order_lines WHERE order_id = %s AND stock_point_id = %s",
        order_id,
        stock_point,
    )[0]
    assert quantity == pack_size

    # a reason is required to reject: the browser asks for it, and so does the server
    page.locator("#reason").evaluate("el => el.removeAttribute('required')")
    page.get_by_role("button", name="Reject").click()
    assert "reason is required" in desktop.flash()
    assert _one(pages_database, "SELECT status FROM orders WHERE id = %s", order_id)[0] == "draft"
    page.locator("#reason").fill("customer closed for renovation this week")
    page.get_by_role("button", name="Reject").click()
    assert f"Order {order_id} rejected" in desktop.flash()
    (status,) = _one(pages_database, "SELECT status FROM orders WHERE id = %s", order_id)
    assert status == "rejected"
    assert str(order_id) not in [r.get_attribute("data-order") for r in rows.all()]

    # approve one straight from the queue
    second = int(rows.first.get_attribute("data-order") or 0)
    rows.first.get_by_role("button", name=f"Approve order {second}").click()
    assert f"Order {second} approved" in desktop.flash()
    assert _one(pages_database, "SELECT status FROM orders WHERE id = %s", second)[0] == "approved"

    # an action that no longer applies answers with a readable message, not JSON
    desktop.go(f"/ui/orders/{second}")
    page.evaluate(
        """id => { const f = document.createElement('form'); f.method = 'post';
                   f.action = `/ui/orders/${id}/approve`;
                   const c = document.createElement('input'); c.name = 'csrf';
                   c.value = document.querySelector('input[name=csrf]').value;
                   f.appendChild(c); document.body.appendChild(f); f.submit(); }""",
        second,
    )
    page.wait_for_load_state()
    assert f"order {second} is approved: cannot approve it" in desktop.flash()


def test_bulk_approve_by_checkbox(desktop: Pages, pages_database: str) -> None:
    drafts = _draft_ids(pages_database)
    desktop.sign_in("planner")
    page = desktop.page
    page.get_by_label("Select all").check()
    page.get_by_role("button", name="Approve selected").click()
    assert f"Approved {len(drafts)} order(s)" in desktop.flash()
    assert _draft_ids(pages_database) == []
    assert "No draft orders waiting" in page.inner_text("main")


def test_a_form_without_the_session_token_is_refused(desktop: Pages, pages_database: str) -> None:
    order_id = _draft_ids(pages_database)[0]
    desktop.sign_in("planner")
    desktop.page.locator("input[name=csrf]").evaluate_all(
        "els => els.forEach(el => el.value = 'forged')"
    )
    desktop.page.locator("table.queue tbody tr").first.get_by_role("button", name="Approve").click()
    assert "form has expired" in desktop.flash()
    assert _one(pages_database, "SELECT status FROM orders WHERE id = %s", order_id)[0] == "draft"


def test_rules_sensors_and_kpis(desktop: Pages, pages_database: str) -> None:
    desktop.sign_in("planner")
    page = desktop.page
    desktop.go("/ui/rules")
    assert "worth at most 20,000" in page.inner_text("main")
    desktop.check("planner-rules")
    page.get_by_text("Edit rule 1").click()
    page.get_by_label("Largest order value").first.fill("50000")
    page.get_by_role("button", name="Save rule 1").click()
    assert "saved" in desktop.flash() and "worth at most 50,000" in page.inner_text("main")
    value = _one(pages_database, "SELECT max_value FROM auto_approve_rules WHERE id = 1")[0]
    assert value == 50000

    desktop.go("/ui/sensors")
    assert page.locator("tbody tr").count() >= 10
    desktop.check("planner-sensors")
    desktop.go("/ui/kpis")
    assert page.locator("canvas").count() == 18
    desktop.check("planner-kpis")


def test_the_api_docs_render_with_no_internet(desktop: Pages) -> None:
    desktop.go("/docs")
    desktop.page.locator(".opblock").first.wait_for()
    assert desktop.page.locator(".opblock").count() > 20
    assert not desktop.outside and not desktop.errors
