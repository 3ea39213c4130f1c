"""Every SQL statement the simulators run, one named function each."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import cast

import orjson
import psycopg

from restock.simulators.scenario import Customer, Product, Rep, SensorSpec, StockPoint

Conn = psycopg.Connection[tuple[object, ...]]


def upsert_rep(conn: Conn, rep: Rep) -> None:
    conn.execute(
        """
        INSERT INTO reps (id, name, depot_lat, depot_lon, time_zone)
        VALUES (%s, %s, %s, %s, %s)
        ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, depot_lat = EXCLUDED.depot_lat,
            depot_lon = EXCLUDED.depot_lon, time_zone = EXCLUDED.time_zone
        """,
        (rep.id, rep.name, rep.depot_lat, rep.depot_lon, rep.time_zone),
    )


def upsert_customer(conn: Conn, c: Customer, opening_hours: dict[str, list[list[str]]]) -> None:
    conn.execute(
        """
        INSERT INTO customers (id, name, segment, rep_id, lat, lon, time_zone, opening_hours,
                               visit_cadence_days, service_minutes)
        VALUES (%s, %s, %s, %s, %s, %s, %s, %s::jsonb, %s, %s)
        ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, segment = EXCLUDED.segment,
            rep_id = EXCLUDED.rep_id, lat = EXCLUDED.lat, lon = EXCLUDED.lon,
            time_zone = EXCLUDED.time_zone, opening_hours = EXCLUDED.opening_hours,
            visit_cadence_days = EXCLUDED.visit_cadence_days,
            service_minutes = EXCLUDED.service_minutes
        """,
        (
            c.id, c.name, c.segment, c.rep_id, c.lat, c.lon, c.time_zone,
            orjson.dumps(opening_hours).decode(), c.visit_cadence_days, c.service_minutes,
        ),
    )  # fmt: skip


def upsert_product(conn: Conn, p: Product) -> None:
    conn.execute(
        """
        INSERT INTO products (id, name, unit, pack_size, moq, lead_time_hours, unit_cost,
                              unit_weight_g)
        VALUES (%s, %s, %s, %s, %s, %s, %s, %s)
        ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, unit = EXCLUDED.unit,
            pack_size = EXCLUDED.pack_size, moq = EXCLUDED.moq,
            lead_time_hours = EXCLUDED.lead_time_hours, unit_cost = EXCLUDED.unit_cost,
            unit_weight_g = EXCLUDED.unit_weight_g
        """,
        (
            p.id, p.name, p.unit, p.pack_size, p.moq, p.lead_time_hours, p.unit_cost,
            p.unit_weight_g,
        ),
    )  # fmt: skip


def upsert_stock_point(conn: Conn, sp: StockPoint) -> int:
    """Insert or update the stock point; returns its id."""
    row = conn.execute(
        """
        INSERT INTO stock_points (customer_id, product_id, capacity) VALUES (%s, %s, %s)
        ON CONFLICT (customer_id, product_id) DO UPDATE SET capacity = EXCLUDED.capacity
        RETURNING id
        """,
        (sp.customer_id, sp.product_id, sp.capacity),
    ).fetchone()
    assert row is not None
    return cast(int, row[0])


def upsert_sensor(
    conn: Conn, s: SensorSpec, stock_point_id: int, installed_at: datetime, battery: float
) -> None:
    """Register the sensor; a re-run with an earlier start moves installed_at back."""
    conn.execute(
        """
        INSERT INTO sensors (id, stock_point_id, kind, unit, tare, scale, installed_at, battery)
        VALUES (%s, %s, %s, %s, %s, %s, %s, %s)
        ON CONFLICT (id) DO UPDATE SET stock_point_id = EXCLUDED.stock_point_id,
            kind = EXCLUDED.kind, unit = EXCLUDED.unit, tare = EXCLUDED.tare,
            scale = EXCLUDED.scale,
            installed_at = LEAST(sensors.installed_at, EXCLUDED.installed_at)
        """,
        (s.id, stock_point_id, s.kind, s.unit, s.tare, s.scale, installed_at, battery),
    )


def stock_point_keys(conn: Conn) -> dict[int, str]:
    """stock point id → series id ("customer:product")."""
    rows = conn.execute("SELECT id, customer_id, product_id FROM stock_points").fetchall()
    return {cast(int, r[0]): f"{r[1]}:{r[2]}" for r in rows}


def deliveries_until(
    conn: Conn, end: datetime, seen: Collection[int]
) -> list[tuple[int, int, datetime, float, str | None]]:
    """Deliveries before `end` not in `seen`: (id, stock_point_id, delivered_at,
    quantity, order_ref), in delivery order."""
    rows = conn.execute(
        """
        SELECT id, stock_point_id, delivered_at, quantity, order_ref FROM deliveries
        WHERE delivered_at < %s AND NOT (id = ANY(%s))
        ORDER BY delivered_at, id
        """,
        (end, list(seen)),
    ).fetchall()
    return [cast(tuple[int, int, datetime, float, str | None], tuple(r)) for r in rows]


def record_delivery(
    conn: Conn, stock_point_id: int, delivered_at: datetime, quantity: float, order_ref: str | None
) -> int:
    """Record a delivery (what marking an order delivered does); returns its id."""
    row = conn.execute(
        """
        INSERT INTO deliveries (stock_point_id, delivered_at, quantity, order_ref)
        VALUES (%s, %s, %s, %s) RETURNING id
        """,
        (stock_point_id, delivered_at, quantity, order_ref),
    ).fetchone()
    assert row is not None
    return cast(int, row[0])
