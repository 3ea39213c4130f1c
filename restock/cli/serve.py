"""`restock serve`: migrate, then run the HTTP API with uvicorn."""

from __future__ import annotations

import argparse
from typing import Any

from restock.core.db import ensure_database
from restock.core.migrate import migrate
from restock.core.settings import Settings


def register(subparsers: Any) -> None:
    cmd = subparsers.add_parser("serve", help="run the HTTP API (default http://127.0.0.1:8000)")
    cmd.add_argument("--host", help="address to bind (default RESTOCK_API_HOST)")
    cmd.add_argument("--port", type=int, help="port to bind (default RESTOCK_API_PORT)")
    cmd.add_argument(
        "--workers", type=int, default=1, help="worker processes (each with its own pool)"
    )
    cmd.set_defaults(func=run_serve)


def run_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from restock.api.app import create_app

    settings = Settings()
    updates = {k: v for k, v in (("api_host", args.host), ("api_port", args.port)) if v}
    settings = settings.model_copy(update=updates)
    ensure_database(settings.database_url)
    migrate(settings.database_url)
    if args.workers > 1:  # each worker builds its app from the same environment
        uvicorn.run(
            "restock.api.app:app_from_settings",
            factory=True,
            workers=args.workers,
            host=settings.api_host,
            port=settings.api_port,
            log_level=settings.log_level.lower(),
            access_log=False,
        )
        return 0
    uvicorn.run(
        create_app(settings),
        host=settings.api_host,
        port=settings.api_port,
        log_level=settings.log_level.lower(),
        access_log=False,
    )
    return 0
