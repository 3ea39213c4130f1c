"""`restock token create|list|revoke`: API bearer tokens (stored hashed)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

import psycopg

from restock.api import auth
from restock.api.errors import ApiError
from restock.core.clock import SystemClock
from restock.core.db import ensure_database
from restock.core.migrate import migrate
from restock.core.settings import Settings


def register(subparsers: Any) -> None:
    cmd = subparsers.add_parser("token", help="create, list or revoke API tokens")
    sub = cmd.add_subparsers(dest="token_command", required=True, metavar="ACTION")
    create = sub.add_parser("create", help="issue a token and print it (shown once)")
    create.add_argument("--role", required=True, choices=[r.value for r in auth.Role])
    create.add_argument("--rep", help="the rep a rep token belongs to")
    create.add_argument("--name", default="", help="a note saying who or what holds it")
    create.set_defaults(func=run_create)
    listing = sub.add_parser("list", help="list tokens (never the tokens themselves)")
    listing.set_defaults(func=run_list)
    revoke = sub.add_parser("revoke", help="revoke a token by id")
    revoke.add_argument("id", type=int)
    revoke.set_defaults(func=run_revoke)


def run_create(args: argparse.Namespace) -> int:
    settings = Settings()
    ensure_database(settings.database_url)
    migrate(settings.database_url)
    try:
        with psycopg.connect(settings.database_url, autocommit=True) as conn:
            issued = auth.create_token(conn, auth.Role(args.role), rep_id=args.rep, name=args.name)
    except ApiError as exc:
        print(f"restock token create: {exc.message}", file=sys.stderr)
        return 2
    print(issued.token)
    rep = f" for rep {issued.rep_id}" if issued.rep_id else ""
    print(f"token {issued.id}: role {issued.role.value}{rep}; keep it, it is not stored",
          file=sys.stderr)  # fmt: skip
    return 0


def run_list(args: argparse.Namespace) -> int:
    settings = Settings()
    with psycopg.connect(settings.database_url, autocommit=True) as conn:
        rows = auth.list_tokens(conn)
    for row in rows:
        state = f"revoked {row['revoked_at']:%Y-%m-%d}" if row["revoked_at"] else "active"
        print(
            f"{row['id']:>5} {row['role']:<8} {row['rep_id'] or '-':<12} {state:<18} {row['name']}"
        )
    return 0


def run_revoke(args: argparse.Namespace) -> int:
    settings = Settings()
    try:
        with psycopg.connect(settings.database_url, autocommit=True) as conn:
            auth.revoke_token(conn, args.id, SystemClock().now())
    except ApiError as exc:
        print(f"restock token revoke: {exc.message}", file=sys.stderr)
        return 2
    print(f"revoked token {args.id}")
    return 0
