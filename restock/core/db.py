"""Database access: connections and pools, created closed and opened by their owner."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg
from psycopg import pq, sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg_pool import AsyncConnectionPool, ConnectionPool

Conn = psycopg.Connection[Any]
"""A blocking connection, as the jobs, the CLI and replenishment's code take it."""


def connect(
    database_url: str, *, autocommit: bool = False
) -> psycopg.Connection[tuple[object, ...]]:
    """Open one connection to `database_url`; the caller closes it."""
    return psycopg.connect(database_url, autocommit=autocommit)


def check_alive(conn: psycopg.Connection[Any] | psycopg.AsyncConnection[Any]) -> None:
    """Raise psycopg.OperationalError if the server has closed `conn` (a restart, an
    administrator's pg_terminate_backend). Reads only what the server has already sent
    (a termination notice, the end of the stream): no round trip, unlike the pool's
    check_connection, so it costs a pooled request next to nothing."""
    for _ in range(2):  # the first read may take the termination notice, the next the end
        conn.pgconn.consume_input()  # raises OperationalError on a closed socket
    if conn.pgconn.status != pq.ConnStatus.OK:
        raise psycopg.OperationalError("the server closed the connection")


async def check_alive_async(conn: psycopg.AsyncConnection[Any]) -> None:
    """check_alive, as the asyncio pool calls it."""
    check_alive(conn)


def make_pool(
    database_url: str,
    *,
    min_size: int = 1,
    max_size: int = 4,
    timeout: float = 30.0,
    autocommit: bool = False,
) -> ConnectionPool:
    """A pool for `database_url`, created closed: open it in the owner's lifespan.

    `timeout` is how long `pool.connection()` waits for a connection before raising
    psycopg_pool.PoolTimeout (during a database outage, that is how long callers wait).
    A connection is checked before it is handed out (`check_alive`: no round trip), so
    that after a database restart a dead one is replaced instead of failing its request.
    """
    return ConnectionPool(
        database_url,
        min_size=min_size,
        max_size=max_size,
        timeout=timeout,
        kwargs={"autocommit": autocommit},
        check=check_alive,
        open=False,
    )


def make_async_pool(
    database_url: str,
    *,
    min_size: int = 1,
    max_size: int = 4,
    timeout: float = 30.0,
    autocommit: bool = False,
    configure: Callable[[psycopg.AsyncConnection[Any]], Awaitable[None]] | None = None,
) -> AsyncConnectionPool:
    """As make_pool, of asyncio connections: open it (awaited) in the owner's lifespan.
    `configure` runs once on each new connection (session settings)."""
    return AsyncConnectionPool(
        database_url,
        min_size=min_size,
        max_size=max_size,
        timeout=timeout,
        kwargs={"autocommit": autocommit},
        configure=configure,
        check=check_alive_async,
        open=False,
    )


def database_name(database_url: str) -> str:
    """The database a URL points at."""
    return str(conninfo_to_dict(database_url).get("dbname", ""))


def with_database(database_url: str, dbname: str) -> str:
    """The same server URL, pointed at another database."""
    parts = urlsplit(database_url)
    if parts.scheme in ("postgresql", "postgres"):
        return urlunsplit(parts._replace(path="/" + quote(dbname)))
    return make_conninfo(database_url, dbname=dbname)


def ensure_database(database_url: str) -> bool:
    """Create the database `database_url` names if it does not exist; True if created.

    Connects to the server's `postgres` database to do it.
    """
    name = database_name(database_url)
    admin_url = with_database(database_url, "postgres")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists:
            return False
        try:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        except psycopg.errors.DuplicateDatabase:
            return False
        return True


def drop_database(database_url: str) -> None:
    """Drop the database `database_url` names, disconnecting whoever is still on it."""
    name = database_name(database_url)
    admin_url = with_database(database_url, "postgres")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
