"""How the pages answer when something goes wrong: never raw JSON.

- not signed in (or the session expired): a redirect to the sign-in page, which comes
  back here afterwards;
- an action (POST) that fails: back to the page it came from, with the reason shown
  at the top ("order 12 is approved: cannot approve it");
- a page (GET) that fails: an error page with the reason and a way back.

The API's errors keep their JSON shape (restock.api.errors); only routes of the pages'
router use `PageRoute`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import quote, urlsplit

import psycopg
from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from psycopg_pool import PoolTimeout

from restock.api.errors import ApiError, replenish_status
from restock.api.pages.render import redirect, render
from restock.api.pages.session import SignInRequired
from restock.replenish.errors import ReplenishError

log = logging.getLogger(__name__)

SIGN_IN = "/ui/sign-in"
Handler = Callable[[Request], Coroutine[Any, Any, Response]]


def readable(exc: Exception) -> tuple[int, str]:
    """(HTTP status, a sentence for a person) for an error raised while serving a page."""
    if isinstance(exc, ApiError):
        return exc.status, exc.message
    if isinstance(exc, ReplenishError):
        return replenish_status(exc), str(exc)
    if isinstance(exc, RequestValidationError):
        fields = ", ".join(
            str(err.get("loc", ("?",))[-1]) + ": " + str(err.get("msg", "")) for err in exc.errors()
        )
        return 422, f"some of what was sent is not valid ({fields})"
    if isinstance(exc, psycopg.errors.IntegrityError):
        return 422, exc.diag.message_detail or exc.diag.message_primary or "not allowed"
    if isinstance(exc, PoolTimeout | psycopg.OperationalError):
        return 503, "the database is not reachable right now; try again in a moment"
    return 500, "restock failed to do this; the error is logged"


def back_to(request: Request) -> str:
    """Where an action returns: the page it was sent from (same site, under /ui)."""
    referer = urlsplit(request.headers.get("referer", ""))
    host = request.headers.get("host", "")
    if referer.path.startswith("/ui") and referer.netloc in ("", host):
        return referer.path + (f"?{referer.query}" if referer.query else "")
    return "/ui"


def sign_in_redirect(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.method != "GET":
        target = back_to(request)
    return redirect(request, f"{SIGN_IN}?next={quote(target, safe='')}")


def page_error(request: Request, exc: Exception) -> Response:
    """The answer of a page route that raised `exc` (see the module docstring)."""
    if isinstance(exc, SignInRequired):
        return sign_in_redirect(request)
    status, message = readable(exc)
    if status >= 500:
        log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
    if request.method == "GET":
        return render(
            request, "error.html", status=status, status_code=status, message=message,
            back=back_to(request),
        )  # fmt: skip
    return redirect(request, back_to(request), message=message, kind="error")


class PageRoute(APIRoute):
    """An APIRoute whose errors (dependencies' included) become pages, not JSON."""

    def get_route_handler(self) -> Handler:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except Exception as exc:  # every error becomes a page; 5xx are logged
                return page_error(request, exc)

        return guarded
