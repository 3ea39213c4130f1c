"""`restock demo`: everything on one machine, showing sensor readings arriving.

Starts a private mosquitto with restock's broker config (unless --mqtt-url is given),
migrates the database (RESTOCK_DATABASE_URL, else a fresh `restock_demo` database on
the default server), loads the demo scenario, starts an ingest worker,
publishes a week of simulated history, then runs the last simulated day live (60x real
time, ending at the current time) and prints what has landed every few seconds until
Ctrl-C.

This is the ingest demo; forecasts, orders and routes join it as they are built.
"""

from __future__ import annotations

import argparse
import signal
import tempfile
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg

from restock.core.clock import SystemClock
from restock.core.db import drop_database, ensure_database, with_database
from restock.core.local_broker import LocalBroker
from restock.core.migrate import migrate
from restock.core.settings import Settings
from restock.ingest import queries as ingest_queries
from restock.ingest.service import Ingester
from restock.simulators.deliveries import scheduled_refills
from restock.simulators.loader import load_into_database
from restock.simulators.payloads import level_messages, status_messages
from restock.simulators.publisher import BrokerAddress, MqttPublisher, ScaledClock
from restock.simulators.runner import run_live
from restock.simulators.scenario_file import load_scenario
from restock.simulators.world import World, floor_hour

LATEST_LEVELS = """
SELECT sp.customer_id, sp.product_id, s.id, s.status, r.time, r.quantity, sp.capacity
FROM sensors s
JOIN stock_points sp ON sp.id = s.stock_point_id
LEFT JOIN LATERAL (
    SELECT time, quantity FROM readings WHERE sensor_id = s.id ORDER BY time DESC LIMIT 1
) r ON true
ORDER BY sp.customer_id, sp.product_id
"""


def register(subparsers: Any) -> None:
    cmd = subparsers.add_parser("demo", help="run everything on this machine and watch it work")
    cmd.add_argument("--scenario", default="demo", help="scenario name or TOML file")
    cmd.add_argument("--history-days", type=float, default=7.0)
    cmd.add_argument("--speed", type=float, default=60.0, help="live speed factor")
    cmd.add_argument("--mqtt-url", help="use this broker instead of starting one")
    cmd.add_argument("--every", type=float, default=5.0, help="seconds between reports")
    cmd.set_defaults(func=run_demo)


def run_demo(args: argparse.Namespace) -> int:
    settings = Settings()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    with tempfile.TemporaryDirectory(prefix="restock-demo-") as tmp:
        broker = None
        if not args.mqtt_url:
            broker = LocalBroker(workdir=Path(tmp) / "mosquitto").start()
            print(f"started mosquitto (restock config) on {broker.url}")
        try:
            return _run(args, settings, broker.url if broker else args.mqtt_url, stop)
        finally:
            if broker is not None:
                broker.stop()


def _run(args: argparse.Namespace, base: Settings, mqtt_url: str, stop: threading.Event) -> int:
    database_url = base.database_url
    if "database_url" not in base.model_fields_set:
        # not configured: a demo database of its own, fresh each run
        database_url = with_database(base.database_url, "restock_demo")
        drop_database(database_url)
    settings = base.model_copy(
        update={
            "database_url": database_url,
            "mqtt_url": mqtt_url,
            "mqtt_client_id": "restock-demo",
        }
    )
    ensure_database(settings.database_url)
    migrate(settings.database_url)
    print(f"database: {settings.database_url}")
    wall = SystemClock()
    scenario = load_scenario(args.scenario)
    # One world: history published at once, then the last simulated day live at
    # `speed`x, placed so that it ends at the current time: sensors never report the
    # future, which ingest would rightly refuse.
    live_start = floor_hour(wall.now() - timedelta(days=1) * (1 - 1 / args.speed))
    world = World(scenario, seed=0, start=live_start - timedelta(days=args.history_days),
                  days=args.history_days + 1)  # fmt: skip
    source = scheduled_refills(scenario, world.start, args.history_days + 1)
    with psycopg.connect(settings.database_url, autocommit=True) as conn:
        load_into_database(conn, scenario, world.start - timedelta(days=1))
    ingester = Ingester(settings, wall)
    ingester.start()
    print(f"ingest metrics: http://{settings.metrics_host}:{ingester.metrics_port}/metrics")
    address = BrokerAddress(
        host=settings.mqtt_host,
        port=settings.mqtt_port,
        username=settings.mqtt_username,
        password=settings.mqtt_password,
    )
    publisher = MqttPublisher(address, client_id="restock-demo-sensors").start()
    live: threading.Thread | None = None
    prefix = settings.mqtt_topic_prefix
    try:
        print(f"publishing {args.history_days:g} days of history for "
              f"{len(scenario.stock_points)} sensors ...")  # fmt: skip
        readings = world.advance(live_start, source)
        publisher.publish_all(
            level_messages(readings, prefix, batch=24)
            + status_messages(world.plan.statuses(0.0, world.hour * 3600.0), prefix)
        )
        publisher.flush()
        print(f"published {len(readings)} readings; the last day now runs live at "
              f"{args.speed:g}x real time (Ctrl-C to stop)")  # fmt: skip
        live = threading.Thread(
            target=run_live,
            args=(world, publisher, ScaledClock(wall, live_start, args.speed)),
            kwargs={"source": source, "prefix": prefix, "stop": stop},
            daemon=True,
        )
        live.start()
        while not stop.wait(args.every):
            _report(settings.database_url)
    finally:
        stop.set()
        if live is not None:
            live.join(timeout=10)
        publisher.stop()
        ingester.stop()
    print("stopped")
    return 0


def _report(database_url: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        total = conn.execute("SELECT count(*) FROM readings").fetchone()
        rows = conn.execute(LATEST_LEVELS).fetchall()
        rejected = ingest_queries.rejection_counts(conn)
    print(f"\nreadings stored: {total[0] if total else 0:,}")
    print(f"{'customer':<20} {'product':<14} {'status':<8} {'latest reading':<21} level")
    for customer, product, _sensor, status, time, quantity, capacity in rows:
        when = time.strftime("%Y-%m-%d %H:%M UTC") if time else "-"
        level = f"{quantity:7.1f} / {capacity:g}" if quantity is not None else "-"
        print(f"{customer:<20} {product:<14} {status:<8} {when:<21} {level}")
    if rejected:
        kept = ", ".join(f"{reason} {pending}" for reason, pending, _ in rejected if pending)
        print(f"kept in rejected_messages (with reasons): {kept}")
