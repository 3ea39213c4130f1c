"""`restock ingest`, `restock rejected ...` and `restock sensor register`."""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from datetime import datetime
from typing import Any

import psycopg

from restock.core.clock import SystemClock
from restock.core.db import ensure_database
from restock.core.migrate import migrate
from restock.core.settings import Settings
from restock.ingest import queries
from restock.ingest.replay import replay
from restock.ingest.service import Ingester, limits_from

log = logging.getLogger(__name__)

_HEALTH_CHECK_S = 1.0


def register(subparsers: Any) -> None:
    cmd = subparsers.add_parser("ingest", help="run an MQTT ingest worker (until Ctrl-C/SIGTERM)")
    cmd.set_defaults(func=run_ingest)

    rejected = subparsers.add_parser("rejected", help="messages ingest kept with a reason")
    sub = rejected.add_subparsers(dest="action", required=True)
    summary = sub.add_parser("summary", help="count kept messages by reason")
    summary.set_defaults(func=run_rejected_summary)
    again = sub.add_parser("replay", help="judge kept messages again, write what is now valid")
    again.add_argument("--reason", help="only messages kept for this reason")
    again.add_argument("--sensor", help="only messages from this sensor id")
    again.set_defaults(func=run_replay)

    sensor = subparsers.add_parser("sensor", help="sensor registry")
    ssub = sensor.add_subparsers(dest="action", required=True)
    reg = ssub.add_parser("register", help="register (or update) a sensor")
    reg.add_argument("sensor_id")
    reg.add_argument("--kind", required=True, choices=["shelf_weight", "shelf_count", "line_bin"])
    reg.add_argument("--unit", required=True, help="what it reports: g, count, percent")
    reg.add_argument("--stock-point", type=int, help="id of the stock point it watches")
    reg.add_argument("--tare", type=float, default=0.0)
    reg.add_argument("--scale", type=float, default=1.0, help="product units per raw unit")
    reg.add_argument("--installed-at", type=datetime.fromisoformat)
    reg.set_defaults(func=run_sensor_register)


def run_ingest(args: argparse.Namespace) -> int:
    settings = Settings()
    ensure_database(settings.database_url)
    migrate(settings.database_url)
    ingester = Ingester(settings, SystemClock())
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    ingester.start()
    while not done.wait(_HEALTH_CHECK_S):
        failure = ingester.failure()
        if failure is not None:
            # Living on would hold the broker session without ever acknowledging again;
            # exiting lets a supervisor start a worker that gets the messages redelivered.
            log.critical("ingest cannot go on, exiting for a restart: %s", failure)
            ingester.stop()
            return 1
    ingester.stop()
    return 0


def run_rejected_summary(args: argparse.Namespace) -> int:
    settings = Settings()
    with psycopg.connect(settings.database_url, autocommit=True) as conn:
        rows = queries.rejection_counts(conn)
    print(f"{'reason':<20} {'pending':>10} {'replayed':>10}")
    for reason, pending, replayed in rows:
        print(f"{reason:<20} {pending:>10} {replayed:>10}")
    return 0


def run_replay(args: argparse.Namespace) -> int:
    settings = Settings()
    with psycopg.connect(settings.database_url, autocommit=True) as conn:
        result = replay(
            conn,
            clock=SystemClock(),
            prefix=settings.mqtt_topic_prefix,
            limits=limits_from(settings),
            reason=args.reason,
            sensor_id=args.sensor,
        )
    print(
        f"examined {result.examined}, accepted {result.accepted} "
        f"({result.readings_inserted} readings written), still rejected {result.still_rejected}"
        f" ({result.conflicting} with a reading whose time holds another value)"
    )
    return 0


def run_sensor_register(args: argparse.Namespace) -> int:
    settings = Settings()
    with psycopg.connect(settings.database_url, autocommit=True) as conn:
        conn.execute(
            """
            INSERT INTO sensors (id, stock_point_id, kind, unit, tare, scale, installed_at)
            VALUES (%s, %s, %s, %s, %s, %s, coalesce(%s::timestamptz, '2000-01-01T00:00:00Z'))
            ON CONFLICT (id) DO UPDATE SET stock_point_id = excluded.stock_point_id,
                kind = excluded.kind, unit = excluded.unit, tare = excluded.tare,
                scale = excluded.scale, installed_at = excluded.installed_at
            """,
            (
                args.sensor_id,
                args.stock_point,
                args.kind,
                args.unit,
                args.tare,
                args.scale,
                args.installed_at,
            ),
        )
    print(f"sensor {args.sensor_id} registered")
    return 0
