"""Which principal a presented bearer token stands for (token administration, shared
with the CLI, is in restock.api.auth)."""

from __future__ import annotations

from restock.api.auth import TOKEN_PREFIX, Principal, Role, hash_token
from restock.api.queries.rows import Conn

LOOKUP = "SELECT id, role, rep_id FROM api_tokens WHERE token_hash = %s AND revoked_at IS NULL"


async def principal_for(conn: Conn, token: str) -> Principal | None:
    """The principal `token` stands for; None if it is unknown or revoked."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    cur = await conn.execute(LOOKUP, (hash_token(token),))
    row = await cur.fetchone()
    if row is None:
        return None
    return Principal(token_id=int(row[0]), role=Role(row[1]), rep_id=row[2])
