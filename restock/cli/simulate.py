"""`restock simulate`: load a scenario into the database and drive its sensors over MQTT."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg

from restock.core.clock import SystemClock
from restock.core.db import ensure_database
from restock.core.migrate import migrate
from restock.core.settings import Settings
from restock.simulators.deliveries import DeliverySource, NoDeliveries, scheduled_refills
from restock.simulators.deliveries_db import DbDeliveries
from restock.simulators.errors import SimulationError
from restock.simulators.export import Simulation, export_truth, observed_levels, write_levels_csv
from restock.simulators.loader import load_into_database
from restock.simulators.publisher import BrokerAddress, MqttPublisher, ScaledClock
from restock.simulators.runner import run_accelerated, run_live
from restock.simulators.scenario_file import load_scenario
from restock.simulators.world import World, floor_hour

log = logging.getLogger(__name__)


def register(subparsers: Any) -> None:
    cmd = subparsers.add_parser(
        "simulate",
        help="load a scenario and publish its simulated sensors",
        description=(
            "Load a scenario (customers, products, stock points, sensors) into the database "
            "and publish its sensors' readings over MQTT. --accelerated (default) publishes "
            "N days of history ending now as fast as the broker takes it; --speed X runs "
            "live, X times faster than real time, ending at the current time."
        ),
    )
    cmd.add_argument("--scenario", required=True, help="TOML file, or demo/food_wholesale/...")
    cmd.add_argument("--days", type=float, default=7.0, help="simulated days (default 7)")
    cmd.add_argument("--seed", type=int, default=0)
    mode = cmd.add_mutually_exclusive_group()
    mode.add_argument("--speed", type=float, help="live at this speed factor (1 = real time)")
    mode.add_argument("--accelerated", action="store_true", help="history, fast (default)")
    cmd.add_argument(
        "--start",
        type=datetime.fromisoformat,
        help="history start (accelerated; default: now - days)",
    )
    cmd.add_argument(
        "--refills",
        choices=["scripted", "orders", "none"],
        default="scripted",
        help="scripted: the scenario's baseline schedule; orders: deliveries restock records "
        "in the database (closed loop); none",
    )
    cmd.add_argument(
        "--batch", type=int, default=24, help="readings per gateway message (accelerated)"
    )
    cmd.add_argument("--no-db", action="store_true", help="do not touch the database")
    cmd.add_argument("--no-mqtt", action="store_true", help="do not publish")
    cmd.add_argument(
        "--export-truth", type=Path, metavar="DIR", help="write ground truth CSV+Parquet"
    )
    cmd.add_argument(
        "--export-levels", type=Path, metavar="FILE", help="write series_id,time,level CSV"
    )
    cmd.set_defaults(func=run_simulate)


def _utc(text: str) -> datetime:
    """ISO 8601 → aware datetime; a time without zone is taken as UTC."""
    when = datetime.fromisoformat(text)
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _source(
    args: argparse.Namespace, world: World, conn: psycopg.Connection[Any] | None
) -> DeliverySource:
    if args.refills == "none":
        return NoDeliveries()
    if args.refills == "orders":
        if conn is None:
            raise SimulationError("--refills orders needs the database (drop --no-db)")
        return DbDeliveries(conn)
    return scheduled_refills(world.scenario, world.start, world.n_hours / 24)


def run_simulate(args: argparse.Namespace) -> int:
    """Entry point; a bad scenario or an unreachable broker exits 2 with the reason."""
    try:
        return _simulate(args)
    except SimulationError as exc:
        print(f"restock simulate: {exc}", file=sys.stderr)
        return 2


def _simulate(args: argparse.Namespace) -> int:
    if args.days <= 0 or (args.speed is not None and args.speed <= 0):
        raise SimulationError("--days and --speed must be positive")
    settings = Settings()
    wall = SystemClock()
    scenario = load_scenario(args.scenario)
    if args.speed:
        start = wall.now() - timedelta(days=args.days) * (1 - 1 / args.speed)
    else:
        start = args.start or (floor_hour(wall.now()) - timedelta(days=args.days))
    world = World(scenario, seed=args.seed, start=start, days=args.days)
    conn = None
    if not args.no_db:
        ensure_database(settings.database_url)
        migrate(settings.database_url)
        conn = psycopg.connect(settings.database_url, autocommit=True)
        load_into_database(conn, scenario, world.start - timedelta(days=1))
    publisher = None
    if not args.no_mqtt:
        address = BrokerAddress(
            host=settings.mqtt_host,
            port=settings.mqtt_port,
            username=settings.mqtt_username,
            password=settings.mqtt_password,
        )
        publisher = MqttPublisher(address, client_id=f"restock-sim-{scenario.name}").start()
    try:
        source = _source(args, world, conn)
        print(f"simulating {scenario.name}: {len(scenario.stock_points)} sensors, "
              f"{world.start.isoformat()} .. {world.end.isoformat()}")  # fmt: skip
        if args.speed:
            if publisher is None:
                raise SimulationError("--speed publishes live: drop --no-mqtt")
            done = threading.Event()
            signal.signal(signal.SIGTERM, lambda *_: done.set())
            signal.signal(signal.SIGINT, lambda *_: done.set())
            clock = ScaledClock(wall, world.start, args.speed)
            stats = run_live(
                world, publisher, clock, source=source, prefix=settings.mqtt_topic_prefix, stop=done
            )
            readings = world.plan.materialise(world.level, 0.0, world.hour * 3600.0)
        else:
            readings, stats = run_accelerated(
                world, publisher, source=source, prefix=settings.mqtt_topic_prefix, batch=args.batch
            )
        print(f"{stats.readings} readings, {stats.messages} messages in {stats.seconds:.1f} s")
        if args.export_truth:
            export_truth(Simulation(world=world, readings=readings), args.export_truth)
            print(f"ground truth written to {args.export_truth}")
        if args.export_levels:
            write_levels_csv(observed_levels(readings), args.export_levels)
            print(f"levels written to {args.export_levels}")
    finally:
        if publisher is not None:
            publisher.stop()
        if conn is not None:
            conn.close()
    return 0
