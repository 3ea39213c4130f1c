"""What readiness checks: the schema version the database is at."""

from __future__ import annotations

from restock.api.queries.rows import Conn
from restock.core.migrate import available_migrations


async def schema_state(conn: Conn) -> tuple[int, int]:
    """(the database's latest applied migration, the latest restock ships)."""
    cur = await conn.execute("SELECT coalesce(max(version), 0) FROM schema_migrations")
    row = await cur.fetchone()
    current = int(row[0]) if row else 0
    return current, available_migrations()[-1].version
