"""Running a statement and returning rows as dicts; updates built from named columns.

Every function here is a coroutine on the request's `AsyncConnection`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from restock.api.errors import NotFound

Conn = psycopg.AsyncConnection[Any]
Row = dict[str, Any]


async def all_rows(
    conn: Conn,
    query: str | sql.Composed,
    params: Mapping[str, Any] | None = None,
    *,
    binary: bool = False,
) -> list[Row]:
    """Every row, as dicts. `binary` fetches results in PostgreSQL's binary format: less
    work on both sides for timestamps and floats (the hot lists use it)."""
    async with conn.cursor(row_factory=dict_row, binary=binary) as cur:
        await cur.execute(query, params)  # type: ignore[arg-type]
        return await cur.fetchall()


async def one_row(
    conn: Conn, query: str | sql.Composed, params: Mapping[str, Any], missing: str
) -> Row:
    """The first row; raises NotFound(`missing`) if there is none."""
    async with conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(query, params)  # type: ignore[arg-type]
        row = await cur.fetchone()
    if row is None:
        raise NotFound(missing)
    return row


async def insert_row(
    conn: Conn,
    table: str,
    values: Mapping[str, Any],
    allowed: Iterable[str],
    returning: str,
    what: str,
) -> Row:
    """INSERT into `table` its id and the `values` whose column is in `allowed`;
    returns the new row (`returning` columns)."""
    cols = ["id", *[c for c in allowed if c in values]]
    query = sql.SQL("INSERT INTO {} ({}) VALUES ({}) RETURNING {}").format(
        sql.Identifier(table),
        sql.SQL(", ").join(sql.Identifier(c) for c in cols),
        sql.SQL(", ").join(sql.Placeholder(c) for c in cols),
        sql.SQL(returning),
    )
    return await one_row(conn, query, {c: values[c] for c in cols}, f"{what} not created")


async def update_by_id(
    conn: Conn,
    table: str,
    key: object,
    changes: Mapping[str, Any],
    allowed: Iterable[str],
    returning: str,
    missing: str,
    scope: sql.Composable | None = None,
) -> Row:
    """UPDATE `table` SET the `changes` whose column is in `allowed` WHERE id = key.

    Returns the updated row (`returning` columns); raises NotFound(`missing`).
    """
    cols = [c for c in changes if c in set(allowed)]
    if not cols:
        return await one_row(
            conn,
            sql.SQL("SELECT {} FROM {} WHERE id = %(key)s").format(
                sql.SQL(returning), sql.Identifier(table)
            ),
            {"key": key},
            missing,
        )
    assignments = sql.SQL(", ").join(
        sql.SQL("{} = {}").format(sql.Identifier(c), sql.Placeholder(c)) for c in cols
    )
    query = sql.SQL("UPDATE {} SET {} WHERE id = %(key)s {} RETURNING {}").format(
        sql.Identifier(table), assignments, scope or sql.SQL(""), sql.SQL(returning)
    )
    return await one_row(conn, query, {**{c: changes[c] for c in cols}, "key": key}, missing)
