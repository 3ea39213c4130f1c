"""Dependencies shared by the routes, as `Annotated` aliases.

The API runs on asyncio. `Conn` is one pooled autocommit `AsyncConnection` per request:
routes whose SQL lives in `restock.api.queries` are `async def` and never leave the
event loop. Replenishment (orders, rules, triggers, routes) and token administration are
blocking code shared with the scheduler and the CLI: routes calling them are plain `def`
(FastAPI runs them in its threadpool) and take a `BlockingConn` from a second, small pool.

`Caller` is any valid token; `Reader`, `Staff` and `AdminOnly` narrow it by role: a
missing or unknown token is 401, a known token whose role may not do this is 403. The
token is looked up on every request (on the request's `Conn`), so a revoked token stops
working at once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any

import psycopg
from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from psycopg_pool import AsyncConnectionPool, ConnectionPool

from restock.api.auth import Principal, Role
from restock.api.errors import Forbidden, Unauthorized
from restock.api.queries.tokens import principal_for
from restock.api.schemas.params import IntParam
from restock.core.clock import Clock
from restock.core.settings import Settings

_bearer = HTTPBearer(auto_error=False, description="`Authorization: Bearer rst_...`")


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_clock(request: Request) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


async def in_utc(conn: psycopg.AsyncConnection[Any]) -> None:
    """Session time zone UTC on the API's own connections: the instants they read come
    back in UTC, as responses give them (restock.api.schemas.times), whatever the
    server's default."""
    await conn.execute("SET TIME ZONE 'UTC'")
    if not conn.autocommit:
        await conn.commit()


async def get_conn(request: Request) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
    """A pooled autocommit connection: reads cost no BEGIN/COMMIT round trips and
    single-statement writes commit as they run. Waits settings.api_db_wait_s at most
    (then PoolTimeout, answered 503)."""
    pool: AsyncConnectionPool = request.app.state.pool
    async with pool.connection() as conn:
        yield conn


def get_blocking_conn(request: Request) -> Iterator[psycopg.Connection[Any]]:
    """A pooled autocommit blocking connection, for replenishment's code: its
    multi-statement changes open their own `conn.transaction()`."""
    pool: ConnectionPool = request.app.state.blocking_pool
    with pool.connection() as conn:
        yield conn


SettingsDep = Annotated[Settings, Depends(get_settings)]
ClockDep = Annotated[Clock, Depends(get_clock)]
Conn = Annotated[psycopg.AsyncConnection[Any], Depends(get_conn)]
BlockingConn = Annotated[psycopg.Connection[Any], Depends(get_blocking_conn)]


async def current_principal(
    conn: Conn,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("a bearer token is required (Authorization: Bearer rst_...)")
    principal = await principal_for(conn, credentials.credentials)
    if principal is None:
        raise Unauthorized("the token is unknown or revoked")
    return principal


Caller = Annotated[Principal, Depends(current_principal)]


def require(*roles: Role) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency admitting only callers with one of `roles`."""
    allowed = frozenset(roles)
    names = ", ".join(sorted(r.value for r in allowed))

    async def check(principal: Caller) -> Principal:
        if principal.role not in allowed:
            raise Forbidden(f"role {principal.role.value!r} may not do this (needs: {names})")
        return principal

    return check


Reader = Annotated[Principal, Depends(require(Role.admin, Role.planner, Role.rep))]
Staff = Annotated[Principal, Depends(require(Role.admin, Role.planner))]
AdminOnly = Annotated[Principal, Depends(require(Role.admin))]
RepOnly = Annotated[Principal, Depends(require(Role.rep))]


@dataclass(frozen=True, slots=True)
class Page:
    limit: int
    offset: int


async def page(
    settings: SettingsDep,
    limit: Annotated[IntParam, Query(ge=1, le=10_000, description="Rows per page")] = 100,
    offset: Annotated[IntParam, Query(ge=0, le=10_000_000, description="Rows to skip")] = 0,
) -> Page:
    """`limit`/`offset` query parameters, `limit` bounded by settings.api_page_max."""
    return Page(limit=min(limit, settings.api_page_max), offset=offset)


PageDep = Annotated[Page, Depends(page)]
