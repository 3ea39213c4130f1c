"""Page sessions: a random cookie value, stored only as its SHA-256, with the CSRF token
its forms must send back. See restock.api.pages.session."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from restock.api.auth import Role
from restock.api.queries.rows import Conn

LOOKUP = """
SELECT u.id, u.name, u.role, u.rep_id, s.csrf_token
FROM sessions s JOIN users u ON u.id = s.user_id
WHERE s.id_hash = %s AND s.expires_at > %s
"""


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionRow:
    user_id: int
    name: str
    role: Role
    rep_id: str | None
    csrf_token: str


def _digest(cookie: str) -> str:
    return hashlib.sha256(cookie.encode()).hexdigest()


async def open_session(conn: Conn, user_id: int, *, at: datetime, ttl: timedelta) -> str:
    """A new session for the user; returns the cookie value (only the browser keeps it).
    Expired sessions are swept on the way."""
    cookie = secrets.token_urlsafe(32)
    await conn.execute("DELETE FROM sessions WHERE expires_at <= %s", (at,))
    await conn.execute(
        "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at)"
        " VALUES (%s, %s, %s, %s, %s)",
        (_digest(cookie), user_id, secrets.token_urlsafe(32), at, at + ttl),
    )
    return cookie


async def session_for(conn: Conn, cookie: str, *, at: datetime) -> SessionRow | None:
    """The live session `cookie` stands for, or None (unknown or expired)."""
    cur = await conn.execute(LOOKUP, (_digest(cookie), at))
    row = await cur.fetchone()
    if row is None:
        return None
    return SessionRow(
        user_id=int(row[0]), name=row[1], role=Role(row[2]), rep_id=row[3], csrf_token=row[4]
    )


async def close_session(conn: Conn, cookie: str) -> None:
    await conn.execute("DELETE FROM sessions WHERE id_hash = %s", (_digest(cookie),))
