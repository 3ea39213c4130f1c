"""Load a scenario into the database: reps, customers, products, stock points, sensors.

Idempotent: loading the same scenario again updates rows in place, so a demo can be
restarted without a fresh database.
"""

from __future__ import annotations

import logging
from datetime import datetime

from restock.simulators import queries
from restock.simulators.calendar import DEFAULT_HOURS
from restock.simulators.scenario import Customer, Scenario

log = logging.getLogger(__name__)

_DAY_NAMES = {1: "1", 2: "2", 3: "3", 4: "4", 5: "5", 6: "6", 7: "7"}


def opening_hours_json(customer: Customer) -> dict[str, list[list[str]]]:
    """Opening hours as stored: {"1": [["09:00", "18:00"]], ...} (ISO weekday keys),
    falling back to the defaults of the customer's kind."""
    hours = customer.opening_hours or DEFAULT_HOURS[customer.kind]

    def hhmm(x: float) -> str:
        minutes = round(x * 60)
        return f"{minutes // 60:02d}:{minutes % 60:02d}"

    return {
        _DAY_NAMES[day]: [[hhmm(a), hhmm(b)] for a, b in hours.get(day, ())] for day in range(1, 8)
    }


def load_into_database(
    conn: queries.Conn, scenario: Scenario, installed_at: datetime
) -> dict[str, int]:
    """Write the scenario's domain rows in one transaction; sensors are registered as
    installed at `installed_at` (at or before the first simulated reading).

    Returns series id → stock point id. Raises psycopg errors unchanged.
    """
    with conn.transaction():
        for rep in scenario.reps:
            queries.upsert_rep(conn, rep)
        for customer in scenario.customers:
            queries.upsert_customer(conn, customer, opening_hours_json(customer))
        for product in scenario.products:
            queries.upsert_product(conn, product)
        ids: dict[str, int] = {}
        for sp in scenario.stock_points:
            ids[sp.series_id] = queries.upsert_stock_point(conn, sp)
            queries.upsert_sensor(
                conn, sp.sensor, ids[sp.series_id], installed_at, sp.sensor.battery_start
            )
    log.info(
        "loaded scenario %s: %s customers, %s stock points",
        scenario.name,
        len(scenario.customers),
        len(ids),
    )
    return ids
