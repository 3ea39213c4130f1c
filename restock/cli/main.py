"""`restock` entry point. Each command family lives in its own module under restock.cli
and adds its sub-commands through a `register(subparsers)` function."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from importlib import import_module

from restock.core.settings import Settings

# Command-family modules; each exposes register(subparsers).
_FAMILIES = (
    "restock.cli.db",
    "restock.cli.ingest",
    "restock.cli.demo",
    "restock.cli.forecast",
    "restock.cli.simulate",
    "restock.cli.replenish",
    "restock.cli.serve",
    "restock.cli.schedule",
    "restock.cli.token",
    "restock.cli.user",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="restock",
        description="IoT inventory replenishment and order forecasting for route sales.",
    )
    parser.add_argument(
        "--log-level",
        default=None,
        help="DEBUG, INFO, WARNING (default: RESTOCK_LOG_LEVEL, else INFO)",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in _FAMILIES:
        try:
            module = import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # family not built yet
                continue
            raise
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=(args.log_level or Settings().log_level).upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    handler: Callable[[argparse.Namespace], int] = args.func
    try:
        return handler(args)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
