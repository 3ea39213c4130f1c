"""Bearer tokens and roles.

A token is `rst_` followed by 32 random bytes (URL-safe base64); only its SHA-256 digest
is stored. Roles: admin (everything), planner (all customers, approves orders), rep
(only their own customers, triggers and routes), device (publishes over MQTT; through
the API it may only ask who it is).

Issuing, listing and revoking tokens here is blocking code shared with the CLI; the
API's per-request lookup is `restock.api.queries.tokens.principal_for`.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

import psycopg
from psycopg.rows import dict_row

from restock.api.errors import Invalid, NotFound

Conn = psycopg.Connection[Any]

TOKEN_PREFIX = "rst_"


class Role(StrEnum):
    admin = "admin"
    planner = "planner"
    rep = "rep"
    device = "device"


@dataclass(frozen=True, slots=True, kw_only=True)
class Principal:
    """Who is calling: the token's id and role, and for a rep token, the rep."""

    token_id: int
    role: Role
    rep_id: str | None = None

    @property
    def actor(self) -> str:
        """How the audit trail names this caller."""
        who = f"{self.role.value}:{self.rep_id}" if self.rep_id else self.role.value
        return f"{who} (token {self.token_id})"

    @property
    def scope_rep(self) -> str | None:
        """The rep whose data this caller is limited to; None sees everyone's."""
        return self.rep_id if self.role is Role.rep else None


@dataclass(frozen=True, slots=True, kw_only=True)
class IssuedToken:
    id: int
    token: str  # shown once, never stored
    role: Role
    rep_id: str | None
    name: str


def hash_token(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(
    conn: Conn, role: Role, *, rep_id: str | None = None, name: str = ""
) -> IssuedToken:
    """Issue a token; returns it in clear text, once.

    Raises Invalid if a rep token names no rep, another role names one, or the rep
    does not exist.
    """
    if (role is Role.rep) != (rep_id is not None):
        raise Invalid("a rep token needs a rep id, and only rep tokens take one")
    if (
        rep_id is not None
        and conn.execute("SELECT 1 FROM reps WHERE id = %s", (rep_id,)).fetchone() is None
    ):
        raise Invalid(f"rep {rep_id!r} does not exist")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = conn.execute(
        "INSERT INTO api_tokens (token_hash, role, rep_id, name) VALUES (%s, %s, %s, %s)"
        " RETURNING id",
        (hash_token(token), role.value, rep_id, name),
    ).fetchone()
    assert row is not None
    return IssuedToken(id=int(row[0]), token=token, role=role, rep_id=rep_id, name=name)


def list_tokens(conn: Conn) -> list[dict[str, Any]]:
    """Every token's metadata (never the token)."""
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            "SELECT id, role, rep_id, name, created_at, revoked_at FROM api_tokens ORDER BY id"
        ).fetchall()


def revoke_token(conn: Conn, token_id: int, when: datetime) -> None:
    """Revoke a token. Raises NotFound if there is no such live token."""
    cur = conn.execute(
        "UPDATE api_tokens SET revoked_at = %s WHERE id = %s AND revoked_at IS NULL",
        (when, token_id),
    )
    if cur.rowcount != 1:
        raise NotFound(f"token {token_id} not found or already revoked")
