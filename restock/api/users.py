"""People who sign in to the pages: a name, a password, a role (admin, planner, rep; a
rep user belongs to a rep and sees only that rep's customers).

Passwords are kept as scrypt hashes (hashlib, N=2^14, r=8, p=1: about 16 MB and tens
of milliseconds per check, so a stolen table is slow to guess from). Failed sign-ins
are recorded by name and by address; past `SignInLimits.attempts` of either within
`SignInLimits.window`, sign-in is refused until the window has passed, whatever the
password, so guessing is slow and says nothing.

Blocking code shared with the CLI (`restock user`) and the sign-in page.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import psycopg

from restock.api.auth import Role
from restock.api.errors import Conflict, Invalid, NotFound, TooManyRequests, Unauthorized

Conn = psycopg.Connection[Any]

NAME = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")
MIN_PASSWORD = 8
USER_ROLES = (Role.admin, Role.planner, Role.rep)
_N, _R, _P, _LEN = 2**14, 8, 1, 32
# checked against when the name is unknown, so both answers take as long
_DUMMY_HASH = f"scrypt${_N}${_R}${_P}$" + "A" * 24 + "$" + "A" * 44


@dataclass(frozen=True, slots=True, kw_only=True)
class User:
    id: int
    name: str
    role: Role
    rep_id: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class SignInLimits:
    """At most `attempts` failures per name, and per address, within `window`."""

    attempts: int = 5
    window: timedelta = timedelta(minutes=15)


def hash_password(password: str) -> str:
    """`scrypt$N$r$p$salt$hash`, salt and hash URL-safe base64."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=_LEN)
    enc = base64.urlsafe_b64encode
    return f"scrypt${_N}${_R}${_P}${enc(salt).decode()}${enc(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    """Whether `password` hashes to `stored` (constant-time comparison)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        want = base64.urlsafe_b64decode(digest)
        got = hashlib.scrypt(
            password.encode(),
            salt=base64.urlsafe_b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(want) or _LEN,
        )
    except ValueError:
        return False
    return scheme == "scrypt" and hmac.compare_digest(got, want)


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise Invalid(f"a password needs at least {MIN_PASSWORD} characters")


def create_user(
    conn: Conn, name: str, role: Role, password: str, *, at: datetime, rep_id: str | None = None
) -> User:
    """A new user. Raises Invalid (bad name, short password, rep without a rep id or a
    rep id on another role, unknown rep), Conflict (the name is taken)."""
    if not NAME.match(name):
        raise Invalid(f"user name {name!r}: letters, digits and _ . @ - only, 1 to 64")
    if role not in USER_ROLES:
        raise Invalid(f"role {role.value!r} cannot sign in to the pages")
    if (role is Role.rep) != (rep_id is not None):
        raise Invalid("a rep user needs a rep id, and only rep users take one")
    _check_password(password)
    if (
        rep_id is not None
        and conn.execute("SELECT 1 FROM reps WHERE id = %s", (rep_id,)).fetchone() is None
    ):
        raise Invalid(f"rep {rep_id!r} does not exist")
    try:
        row = conn.execute(
            "INSERT INTO users (name, role, rep_id, password_hash, created_at, password_changed_at)"
            " VALUES (%s, %s, %s, %s, %s, %s) RETURNING id",
            (name, role.value, rep_id, hash_password(password), at, at),
        ).fetchone()
    except psycopg.errors.UniqueViolation as exc:
        raise Conflict(f"user {name!r} exists already") from exc
    assert row is not None
    return User(id=int(row[0]), name=name, role=role, rep_id=rep_id)


def set_password(conn: Conn, name: str, password: str, *, at: datetime) -> None:
    """Change a user's password and end their sessions. Raises NotFound, Invalid."""
    _check_password(password)
    with conn.transaction():
        row = conn.execute(
            "UPDATE users SET password_hash = %s, password_changed_at = %s WHERE name = %s"
            " RETURNING id",
            (hash_password(password), at, name),
        ).fetchone()
        if row is None:
            raise NotFound(f"user {name!r} does not exist")
        conn.execute("DELETE FROM sessions WHERE user_id = %s", (row[0],))


def list_users(conn: Conn) -> list[User]:
    rows = conn.execute("SELECT id, name, role, rep_id FROM users ORDER BY name").fetchall()
    return [User(id=int(r[0]), name=r[1], role=Role(r[2]), rep_id=r[3]) for r in rows]


def authenticate(
    conn: Conn,
    name: str,
    password: str,
    *,
    address: str,
    at: datetime,
    limits: SignInLimits | None = None,
) -> User:
    """The user `name` if `password` is theirs. Raises TooManyRequests while too many
    recent failures stand against the name or the address (saying until when), and
    Unauthorized for a wrong name or password (one message for both)."""
    lim = limits or SignInLimits()
    since = at - lim.window
    row = conn.execute(
        "SELECT (SELECT count(*) FROM sign_in_failures WHERE name = %(n)s AND at > %(s)s),"
        " (SELECT count(*) FROM sign_in_failures WHERE address = %(a)s AND at > %(s)s),"
        " (SELECT min(at) FROM (SELECT at FROM sign_in_failures"
        "   WHERE (name = %(n)s OR address = %(a)s) AND at > %(s)s"
        "   ORDER BY at DESC LIMIT %(k)s) recent)",
        {"n": name, "a": address, "s": since, "k": lim.attempts},
    ).fetchone()
    assert row is not None
    if max(int(row[0]), int(row[1])) >= lim.attempts:
        until = row[2] + lim.window
        raise TooManyRequests(
            f"too many failed sign-ins; try again after {until:%H:%M} UTC",
            details={"retry_after": max(int((until - at).total_seconds()), 1)},
        )
    found = conn.execute(
        "SELECT id, name, role, rep_id, password_hash FROM users WHERE name = %s", (name,)
    ).fetchone()
    if not verify_password(password, found[4] if found else _DUMMY_HASH) or found is None:
        conn.execute(
            "INSERT INTO sign_in_failures (name, address, at) VALUES (%s, %s, %s)",
            (name[:64], address[:64], at),
        )
        conn.execute("DELETE FROM sign_in_failures WHERE at < %s", (at - 4 * lim.window,))
        raise Unauthorized("the user name or password is wrong")
    return User(id=int(found[0]), name=found[1], role=Role(found[2]), rep_id=found[3])
