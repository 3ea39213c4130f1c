"""Signing in and out of the pages, and the start page that sends each person to theirs.

The sign-in form is protected like every other (a token in a short-lived cookie, echoed
in the form: nobody else's page can sign a browser in as them); failed attempts are
throttled (restock.api.users.authenticate)."""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool

from restock.api.auth import Role
from restock.api.deps import BlockingConn, ClockDep, Conn, SettingsDep
from restock.api.errors import TooManyRequests, Unauthorized
from restock.api.pages.page_route import SIGN_IN, PageRoute
from restock.api.pages.render import redirect, render
from restock.api.pages.session import COOKIE, Plain, Posted, SignInRequired, signed_in
from restock.api.queries.sessions import close_session, open_session
from restock.api.users import SignInLimits, authenticate

router = APIRouter(prefix="/ui", include_in_schema=False, route_class=PageRoute)
FORM_COOKIE = "restock_sign_in"


def home(role: Role) -> str:
    return "/ui/orders" if role in (Role.admin, Role.planner) else "/ui/day"


def safe_next(target: str) -> str | None:
    """`target` when it is one of our pages (never another site)."""
    ok = target.startswith("/ui") and not target.startswith(("//", "/ui/sign-"))
    return target if ok and "\\" not in target else None


@router.get("")
async def start(request: Request, conn: Conn, clock: ClockDep) -> Response:
    """The signed-in person's own page, else sign-in."""
    try:
        user = await signed_in(request, conn, clock)
    except SignInRequired:
        return redirect(request, SIGN_IN)
    return redirect(request, home(user.role))


def _form(
    request: Request, *, next_page: str = "", name: str = "", message: str = "", status: int = 200
) -> Response:
    token = secrets.token_urlsafe(24)
    response = render(
        request, "sign_in.html", status=status, next=next_page, name=name, message=message,
        form_token=token,
    )  # fmt: skip
    response.set_cookie(
        FORM_COOKIE, token, max_age=3600, path="/ui/sign-in", httponly=True, samesite="strict",
        secure=request.app.state.settings.pages_secure_cookie,
    )  # fmt: skip
    return response


@router.get("/sign-in")
async def sign_in_page(request: Request, next: str = "") -> Response:
    """The sign-in form."""
    return _form(request, next_page=safe_next(next) or "")


@router.post("/sign-in")
async def sign_in(
    request: Request, conn: Conn, bconn: BlockingConn, clock: ClockDep, settings: SettingsDep,
    form: Plain,
) -> Response:  # fmt: skip
    """Check the name and password, open a session, go where the person was headed."""
    name, next_page = form.get("name").strip(), safe_next(form.get("next")) or ""
    expected = request.cookies.get(FORM_COOKIE, "")
    if not expected or not hmac.compare_digest(form.get("form_token"), expected):
        message = "the sign-in form had expired; please sign in again"
        return _form(request, next_page=next_page, name=name, message=message, status=403)
    limits = SignInLimits(
        attempts=settings.pages_sign_in_attempts,
        window=timedelta(seconds=settings.pages_sign_in_window_s),
    )
    address = request.client.host if request.client else "unknown"
    try:
        user = await run_in_threadpool(
            authenticate, bconn, name, form.get("password"), address=address, at=clock.now(),
            limits=limits,
        )  # fmt: skip
    except (Unauthorized, TooManyRequests) as exc:
        return _form(
            request, next_page=next_page, name=name, message=exc.message, status=exc.status
        )
    cookie = await open_session(
        conn, user.id, at=clock.now(), ttl=timedelta(hours=settings.pages_session_hours)
    )
    response = redirect(request, next_page or home(user.role))
    response.set_cookie(
        COOKIE, cookie, max_age=int(settings.pages_session_hours * 3600), path="/",
        httponly=True, samesite="lax", secure=settings.pages_secure_cookie,
    )  # fmt: skip
    response.delete_cookie(FORM_COOKIE, path="/ui/sign-in")
    return response


@router.post("/sign-out")
async def sign_out(request: Request, conn: Conn, form: Posted) -> Response:
    """End the session."""
    await close_session(conn, request.cookies.get(COOKIE, ""))
    response = redirect(request, SIGN_IN, message="Signed out")
    response.delete_cookie(COOKIE, path="/")
    return response
