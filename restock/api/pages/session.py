"""Who is signed in to the pages, and the checks on every request that changes something.

A session is a random value in an HttpOnly, SameSite=Lax cookie (stored hashed, see
restock.api.queries.sessions). Every form that changes something carries the
session's CSRF token in a hidden `csrf` field; a POST without the right one is refused
(SameSite=Lax already keeps other sites' forms from sending the cookie; the token also
covers same-site pages and older browsers). Bearer tokens stay for the API and devices.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import parse_qs

from fastapi import Depends, Request

from restock.api.auth import Role
from restock.api.deps import ClockDep, Conn
from restock.api.errors import Forbidden
from restock.api.queries.sessions import session_for

COOKIE = "restock_session"
MAX_FORM_BYTES = 64 * 1024


class SignInRequired(Exception):
    """No live session: the page answers with a redirect to the sign-in page."""


@dataclass(frozen=True, slots=True, kw_only=True)
class PageUser:
    """The signed-in person: name, role, their rep (rep users) and the session's CSRF token."""

    name: str
    role: Role
    rep_id: str | None
    csrf_token: str

    @property
    def actor(self) -> str:
        """How the audit trail names this person."""
        return f"{self.role.value}:{self.name}"

    @property
    def scope_rep(self) -> str | None:
        """The rep whose data this person is limited to; None sees everyone's."""
        return self.rep_id if self.role is Role.rep else None

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.admin, Role.planner)


async def signed_in(request: Request, conn: Conn, clock: ClockDep) -> PageUser:
    """The session's user; raises SignInRequired when there is none (or it expired)."""
    cookie = request.cookies.get(COOKIE)
    row = await session_for(conn, cookie, at=clock.now()) if cookie else None
    if row is None:
        raise SignInRequired
    user = PageUser(name=row.name, role=row.role, rep_id=row.rep_id, csrf_token=row.csrf_token)
    request.state.user = user  # for the error pages' navigation
    return user


User = Annotated[PageUser, Depends(signed_in)]


async def staff(user: User) -> PageUser:
    if not user.is_staff:
        raise Forbidden("this page is for planners")
    return user


Staff = Annotated[PageUser, Depends(staff)]


@dataclass(frozen=True, slots=True)
class Form:
    """An urlencoded form's fields; `all` for repeated ones (checkboxes)."""

    fields: dict[str, list[str]]

    def get(self, name: str, default: str = "") -> str:
        values = self.fields.get(name)
        return values[0] if values else default

    def all(self, name: str) -> list[str]:
        return list(self.fields.get(name, ()))


async def read_form(request: Request) -> Form:
    body = (await request.body())[:MAX_FORM_BYTES].decode("utf-8", errors="replace")
    return Form(parse_qs(body, keep_blank_values=True))


async def checked_form(request: Request, user: User) -> Form:
    """The posted form, once its CSRF token is the session's; raises Forbidden otherwise."""
    form = await read_form(request)
    if not hmac.compare_digest(form.get("csrf"), user.csrf_token):
        raise Forbidden("this form has expired; reload the page and try again")
    return form


Posted = Annotated[Form, Depends(checked_form)]
Plain = Annotated[Form, Depends(read_form)]
