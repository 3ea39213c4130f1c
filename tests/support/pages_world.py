"""A lived-in database for the pages' tests: the demo scenario's reps, customers and
sensors with three weeks of simulated readings (written straight to the database, no
broker), a forecast and a replenishment run, each rep's route for the day, and users.

Built once per test session into a template database; each test gets a copy
(CREATE DATABASE ... TEMPLATE), which takes a fraction of a second."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import psycopg

from restock.api.auth import Role
from restock.api.users import create_user
from restock.forecast.job import run_forecast_job
from restock.replenish.job import JobConfig, run_replenish_job
from restock.replenish.visits.morning import plan_routes
from restock.simulators.deliveries import scheduled_refills
from restock.simulators.export import observed_levels
from restock.simulators.loader import load_into_database
from restock.simulators.scenario_file import load_scenario
from restock.simulators.world import World

# 07:00 in Tokyo on a Thursday: before the reps set out, the planner's morning review
AS_OF = datetime(2026, 11, 19, 22, 0, tzinfo=UTC)
HISTORY_DAYS = 21
PASSWORD = "correct horse battery"
USERS = {
    "planner": (Role.planner, None),
    "sato": (Role.rep, "rep-sato"),
    "tanaka": (Role.rep, "rep-tanaka"),
}


@dataclass(frozen=True)
class Built:
    as_of: datetime
    drafts: int
    routes: list[str]


def build_world(database_url: str, *, as_of: datetime = AS_OF, seed: int = 3) -> Built:
    """Fill the (migrated, empty) database at `database_url`; see the module docstring.
    Drafts over 20,000 wait for a planner (the default rule, its value limit lowered)."""
    scenario = load_scenario("demo")
    start = as_of - timedelta(days=HISTORY_DAYS)
    world = World(scenario, seed=seed, start=start, days=HISTORY_DAYS)
    readings = world.run(scheduled_refills(scenario, start, HISTORY_DAYS))
    levels = observed_levels(readings)
    sensor_of = {sp.series_id: sp.sensor.id for sp in scenario.stock_points}
    with psycopg.connect(database_url, autocommit=True) as conn:
        load_into_database(conn, scenario, start - timedelta(days=1))
        with conn.cursor().copy(
            "COPY readings (time, sensor_id, raw_value, quantity) FROM STDIN"
        ) as copy:
            for series, time, level in levels.itertuples(index=False):
                copy.write_row((time.to_pydatetime(), sensor_of[series], level, level))
        conn.execute(
            "UPDATE sensors s SET status = 'online', battery = 0.8, last_seen = r.last,"
            " last_reading_at = r.last FROM (SELECT sensor_id, max(time) AS last FROM readings"
            " GROUP BY sensor_id) r WHERE r.sensor_id = s.id"
        )
        conn.execute("UPDATE auto_approve_rules SET max_value = 20000")
    for back in (2, 1, 0):  # a few forecasts, as the hourly job leaves them
        run_forecast_job(database_url, as_of=as_of - timedelta(hours=back), workers=1)
    with psycopg.connect(database_url, autocommit=True) as conn:
        summary = run_replenish_job(conn, as_of=as_of, config=JobConfig())
        routes = plan_routes(conn, as_of=as_of)
        for name, (role, rep) in USERS.items():
            create_user(conn, name, role, PASSWORD, at=as_of, rep_id=rep)
    return Built(as_of=as_of, drafts=summary.waiting, routes=routes)
