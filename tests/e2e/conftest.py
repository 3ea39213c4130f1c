"""Browser tests: Playwright driving Debian's Chromium (/usr/bin/chromium, installed by
scripts/system-deps; Playwright's own browser download is never used) against the app
served by uvicorn on a loopback port, on a copy of a lived-in database.

One browser for the session; each test gets a fresh database copy and server, and a
new browser context (desktop 1280×800 or a 390 px phone). Every request to anything but
loopback is blocked and recorded: nothing may load from the internet. `Pages.check`
runs axe-core (no serious or critical violations), fails on script errors, and saves a
screenshot to var/screenshots/.
"""

from __future__ import annotations

import functools
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg
import pytest
import uvicorn

from restock.api.app import create_app
from restock.core.clock import ManualClock
from restock.core.db import drop_database, ensure_database, with_database
from restock.core.local_broker import free_port
from restock.core.migrate import migrate
from restock.core.settings import Settings
from tests.conftest import ADMIN_URL
from tests.support.pages_world import AS_OF, PASSWORD, build_world

playwright_api = pytest.importorskip("playwright.sync_api")

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = ROOT / "var" / "screenshots"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")


@functools.cache
def _axe_source() -> str:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make` (scripts/vendor-assets installs it)")
    return AXE.read_text()


@pytest.fixture(scope="session")
def template_database() -> Iterator[str]:
    """A database holding the pages' world, built once; tests take copies of it."""
    name = f"restock_pages_tpl_{uuid.uuid4().hex[:8]}"
    url = with_database(ADMIN_URL, name)
    ensure_database(url)
    try:
        migrate(url)
        build_world(url)
        yield name
    finally:
        drop_database(url)


@pytest.fixture
def pages_database(template_database: str) -> Iterator[str]:
    name = f"restock_pages_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template_database}"')
    url = with_database(ADMIN_URL, name)
    try:
        yield url
    finally:
        drop_database(url)


@pytest.fixture
def server(pages_database: str) -> Iterator[str]:
    """The app on a free loopback port, its clock stopped at the world's morning."""
    port = free_port()
    settings = Settings(database_url=pages_database, api_pool_min=1, api_pool_max=4)
    app = create_app(settings, clock=ManualClock(AS_OF))
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    uv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/system-deps (installs chromium)")
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@dataclass
class Pages:
    """A browser context on the server: the page, what it tried to fetch from outside,
    and script errors."""

    page: Any
    base: str
    outside: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def go(self, path: str) -> Any:
        return self.page.goto(self.base + path)

    def sign_in(self, name: str, password: str = PASSWORD, *, here: bool = False) -> None:
        """Sign in on the sign-in page (`here`: the one the browser is on)."""
        if not here:
            self.go("/ui/sign-in")
        self.page.get_by_label("User name").fill(name)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_load_state()

    def sign_out(self) -> None:
        self.page.get_by_role("button", name="Sign out").click()
        self.page.wait_for_load_state()

    def flash(self) -> str:
        return str(self.page.locator(".flash").first.inner_text())

    def check(self, shot: str) -> None:
        """No serious/critical axe violations, no script errors, nothing fetched from
        outside; a full-page screenshot saved as var/screenshots/<shot>.png."""
        self.page.wait_for_load_state("networkidle")
        # evaluated through the debugging protocol: the pages' CSP stays in force
        self.page.evaluate(_axe_source())
        result = self.page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        )
        bad = [
            f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
            for v in result
            if v["impact"] in ("serious", "critical")
        ]
        assert not bad, f"{shot}: accessibility violations:\n" + "\n".join(bad)
        assert not self.errors, f"{shot}: script errors {self.errors}"
        assert not self.outside, f"{shot}: requests outside loopback {self.outside}"
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{shot}.png"), full_page=True)


def _context(browser: Any, base: str, viewport: dict[str, int], *, phone: bool) -> Iterator[Pages]:
    context = browser.new_context(
        viewport=viewport, is_mobile=phone, has_touch=phone, device_scale_factor=1,
        locale="en-GB", timezone_id="Asia/Tokyo",
    )  # fmt: skip
    page = context.new_page()
    pages = Pages(page=page, base=base)

    def only_loopback(route: Any) -> None:
        host = urlsplit(route.request.url).hostname or ""
        if route.request.url.startswith("data:") or host in LOOPBACK:
            route.continue_()
        else:
            pages.outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_loopback)
    page.on("pageerror", lambda exc: pages.errors.append(str(exc)))
    page.on(
        "console",
        lambda msg: pages.errors.append(msg.text) if msg.type == "error" else None,
    )
    page.set_default_timeout(10_000)
    try:
        yield pages
    finally:
        context.close()


@pytest.fixture
def desktop(browser: Any, server: str) -> Iterator[Pages]:
    yield from _context(browser, server, DESKTOP, phone=False)


@pytest.fixture
def phone(browser: Any, server: str) -> Iterator[Pages]:
    yield from _context(browser, server, PHONE, phone=True)
