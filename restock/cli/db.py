"""`restock migrate`: bring the database schema up to date."""

from __future__ import annotations

import argparse
from typing import Any

from restock.core.db import ensure_database
from restock.core.migrate import migrate
from restock.core.settings import Settings


def register(subparsers: Any) -> None:
    cmd = subparsers.add_parser("migrate", help="create the database if needed and migrate it")
    cmd.set_defaults(func=run_migrate)


def run_migrate(args: argparse.Namespace) -> int:
    settings = Settings()
    if ensure_database(settings.database_url):
        print("created database")
    applied = migrate(settings.database_url)
    print(f"applied {len(applied)} migration(s)" + (f": {applied}" if applied else ""))
    return 0
