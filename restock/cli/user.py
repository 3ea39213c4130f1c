"""`restock user create|passwd|list`: the people who sign in to the pages."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

import psycopg

from restock.api import users
from restock.api.auth import Role
from restock.api.errors import ApiError
from restock.core.clock import SystemClock
from restock.core.db import ensure_database
from restock.core.migrate import migrate
from restock.core.settings import Settings


def register(subparsers: Any) -> None:
    cmd = subparsers.add_parser("user", help="create users of the pages, set passwords")
    sub = cmd.add_subparsers(dest="user_command", required=True, metavar="ACTION")
    create = sub.add_parser("create", help="a new user (asks for the password)")
    create.add_argument("name")
    create.add_argument("--role", required=True, choices=[r.value for r in users.USER_ROLES])
    create.add_argument("--rep", help="the rep a rep user is")
    create.add_argument("--password-stdin", action="store_true",
                        help="read the password from standard input, not the terminal")  # fmt: skip
    create.set_defaults(func=run_create)
    passwd = sub.add_parser("passwd", help="set a user's password (ends their sessions)")
    passwd.add_argument("name")
    passwd.add_argument("--password-stdin", action="store_true")
    passwd.set_defaults(func=run_passwd)
    listing = sub.add_parser("list", help="list users")
    listing.set_defaults(func=run_list)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise ApiError("the two passwords differ")
    return first


def run_create(args: argparse.Namespace) -> int:
    settings = Settings()
    ensure_database(settings.database_url)
    migrate(settings.database_url)
    try:
        password = _password(args.password_stdin)
        with psycopg.connect(settings.database_url, autocommit=True) as conn:
            user = users.create_user(
                conn, args.name, Role(args.role), password, at=SystemClock().now(),
                rep_id=args.rep,
            )  # fmt: skip
    except ApiError as exc:
        print(f"restock user create: {exc.message}", file=sys.stderr)
        return 2
    rep = f" for rep {user.rep_id}" if user.rep_id else ""
    print(f"user {user.name}: {user.role.value}{rep}")
    return 0


def run_passwd(args: argparse.Namespace) -> int:
    settings = Settings()
    try:
        password = _password(args.password_stdin)
        with psycopg.connect(settings.database_url, autocommit=True) as conn:
            users.set_password(conn, args.name, password, at=SystemClock().now())
    except ApiError as exc:
        print(f"restock user passwd: {exc.message}", file=sys.stderr)
        return 2
    print(f"password of {args.name} changed; their sessions are closed")
    return 0


def run_list(args: argparse.Namespace) -> int:
    settings = Settings()
    with psycopg.connect(settings.database_url, autocommit=True) as conn:
        for user in users.list_users(conn):
            print(f"{user.name:<24} {user.role.value:<8} {user.rep_id or '-'}")
    return 0
