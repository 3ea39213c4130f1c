"""Rendering the pages: one Jinja2 environment (autoescaped templates shipped in the
package), the filters that show times in a place's own zone, and the one-shot message
an action leaves for the next page (a short-lived cookie)."""

from __future__ import annotations

from functools import cache
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import orjson
from fastapi import Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from restock.core import timefmt

FLASH = "restock_flash"
FLASH_KINDS = ("ok", "error")


def _json(value: Any) -> Markup:
    """JSON for a <script type="application/json"> block: `<` escaped so no value can
    close the tag."""
    text = orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()
    return Markup(text.replace("<", "\\u003c"))


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("restock.api.pages", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["local"] = timefmt.local
    env.filters["local_time"] = timefmt.local_time
    env.filters["zone"] = timefmt.zone_name
    env.filters["age"] = timefmt.age
    env.filters["local_date"] = timefmt.local_date
    env.filters["until"] = timefmt.until
    env.filters["qty"] = timefmt.quantity
    env.filters["money"] = timefmt.money
    env.filters["pct"] = timefmt.percent
    env.filters["json"] = _json
    return env


def render(request: Request, template: str, *, status: int = 200, **context: Any) -> HTMLResponse:
    """The page `template` with `context`, the signed-in user (if any) and the pending
    message; the message cookie is cleared as it is shown."""
    flash = read_flash(request)
    html = (
        environment()
        .get_template(template)
        .render(
            request=request,
            user=getattr(request.state, "user", None),
            flash=flash,
            **context,
        )
    )
    response = HTMLResponse(html, status_code=status, headers=headers(request))
    if flash is not None:
        response.delete_cookie(FLASH, path="/ui")
    return response


def headers(request: Request) -> dict[str, str]:
    """Pages load scripts, styles and images only from restock itself (and map tiles
    from the configured tile server), are never framed, and are not cached."""
    tiles = request.app.state.settings.pages_map_tile_url
    tile_host = ""
    if tiles:
        parts = urlsplit(tiles)
        tile_host = f" {parts.scheme}://{parts.netloc}"
    policy = (
        "default-src 'self'; script-src 'self'; style-src 'self';"
        f" img-src 'self' data:{tile_host}; frame-ancestors 'none'; form-action 'self';"
        " base-uri 'none'; object-src 'none'"
    )
    return {"Content-Security-Policy": policy, "Cache-Control": "no-store",
            "Referrer-Policy": "same-origin", "X-Content-Type-Options": "nosniff"}  # fmt: skip


def read_flash(request: Request) -> tuple[str, str] | None:
    """(kind, message) left by the previous action, or None."""
    raw = request.cookies.get(FLASH)
    if not raw:
        return None
    kind, _, message = unquote(raw).partition(":")
    return (kind, message) if kind in FLASH_KINDS and message else None


def redirect(request: Request, to: str, *, message: str = "", kind: str = "ok") -> Response:
    """303 to `to`, leaving `message` for the page there."""
    response = RedirectResponse(to, status_code=303)
    if message:
        response.set_cookie(
            FLASH,
            quote(f"{kind}:{message[:600]}"),
            max_age=120,
            path="/ui",
            httponly=True,
            samesite="lax",
            secure=request.app.state.settings.pages_secure_cookie,
        )
    return response
