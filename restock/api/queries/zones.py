"""Whose time zone a local business time is given in (restock.api.schemas.times).

Blocking, unlike the rest of this package: the order and route responses that need
these are built by routes running replenishment's blocking code on a BlockingConn.
"""

from __future__ import annotations

from typing import Any

import psycopg

BlockingConn = psycopg.Connection[Any]

CUSTOMER = "SELECT time_zone FROM customers WHERE id = %s"
REP = "SELECT time_zone FROM reps WHERE id = %s"


def customer_time_zone(conn: BlockingConn, customer_id: str) -> str:
    """The customer's IANA time zone. Raises LookupError for an unknown customer."""
    return _one(conn, CUSTOMER, customer_id, "customer")


def rep_time_zone(conn: BlockingConn, rep_id: str) -> str:
    """The rep's IANA time zone. Raises LookupError for an unknown rep."""
    return _one(conn, REP, rep_id, "rep")


def _one(conn: BlockingConn, query: str, key: str, what: str) -> str:
    row = conn.execute(query, (key,)).fetchone()
    if row is None:
        raise LookupError(f"{what} {key!r} not found")
    return str(row[0])
