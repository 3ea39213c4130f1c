"""A rep's daily route from triggers and planned deliveries, stored and read back."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import psycopg
import pytest

from restock.replenish.errors import CustomerNotFound, RepNotFound, RouteNotFound
from restock.replenish.job import run_replenish_job
from restock.replenish.queries import next_visits
from restock.replenish.visits.routes import build_route, get_route
from restock.replenish.visits.service import record_visit
from tests.integration.test_replenish_job import AS_OF, add_forecast, setup_world

Conn = psycopg.Connection[Any]


def test_route_visits_the_customer_with_a_delivery_and_is_stored(db: Conn) -> None:
    ids = setup_world(db)
    db.execute(
        "INSERT INTO customers (id, name, segment, rep_id, lat, lon, opening_hours)"
        " VALUES ('c2', 'Clinic', 'C', 'r1', 35.70, 139.70, '{\"2\": [[\"10:00\", \"12:00\"]]}')"
    )
    add_forecast(db, ids["milk"], as_of=AS_OF, level=30, rate=0.5, out_in=(30, 70))
    run_replenish_job(db, as_of=AS_OF)  # approved by the default rule, delivery tomorrow
    day = date(2026, 9, 8)
    plan = build_route(db, "r1", day, as_of=AS_OF, max_runtime_s=0.2)
    assert [s.customer_id for s in plan.stops] == ["c1"]
    assert plan.stops[0].required and "delivery" in plan.stops[0].purposes
    stored = get_route(db, "r1", day)
    assert [s.customer_id for s in stored.stops] == ["c1"]
    assert stored.distance_km == pytest.approx(plan.distance_km)
    again = build_route(db, "r1", day, as_of=AS_OF + timedelta(hours=1), max_runtime_s=0.2)
    assert len(again.stops) == 1
    assert db.execute("SELECT count(*) FROM routes").fetchone() == (1,)


def test_a_cadence_visit_on_the_route_is_a_planned_visit_replenishment_can_use(
    db: Conn,
) -> None:
    setup_world(db)  # an A customer never visited: its weekly visit is due
    day = date(2026, 9, 8)
    plan = build_route(db, "r1", day, as_of=AS_OF, max_runtime_s=0.2)
    assert [(s.customer_id, s.purposes) for s in plan.stops] == [("c1", ("cadence",))]
    visit = next_visits(db, AS_OF)
    assert visit == {"c1": plan.stops[0].arrive_at}
    build_route(db, "r1", day, as_of=AS_OF + timedelta(hours=1), max_runtime_s=0.2)
    assert db.execute("SELECT count(*), min(purposes[1]) FROM planned_visits").fetchone() == (
        1,
        "cadence",
    )
    again = build_route(db, "r1", day, as_of=AS_OF + timedelta(hours=2), max_runtime_s=0.2)
    assert not again.stops[0].required  # its own planned visit is not a delivery


def test_unknown_rep_or_route_is_a_named_error(db: Conn) -> None:
    with pytest.raises(RepNotFound, match="nobody"):
        build_route(db, "nobody", date(2026, 9, 8), as_of=AS_OF)
    setup_world(db)
    with pytest.raises(RouteNotFound, match="r1"):
        get_route(db, "r1", date(2026, 9, 8))


def test_a_visit_made_closes_that_days_planned_visit_and_restarts_the_cadence(
    db: Conn,
) -> None:
    setup_world(db)  # an A customer never visited: its weekly visit is due
    day = date(2026, 9, 8)
    stop = build_route(db, "r1", day, as_of=AS_OF, max_runtime_s=0.2).stops[0]
    planned = db.execute("SELECT id FROM planned_visits").fetchone()
    assert planned is not None
    assert record_visit(db, "r1", "c1", at=stop.arrive_at + timedelta(minutes=20)) == planned[0]
    assert db.execute("SELECT status FROM planned_visits").fetchall() == [("done",)]
    assert build_route(db, "r1", day + timedelta(days=1), as_of=AS_OF).stops == ()
    assert [
        s.customer_id for s in build_route(db, "r1", day + timedelta(days=7), as_of=AS_OF).stops
    ] == ["c1"]
    with pytest.raises(CustomerNotFound, match="nobody"):
        record_visit(db, "r1", "nobody", at=stop.arrive_at)
    with pytest.raises(RepNotFound, match="ghost"):
        record_visit(db, "ghost", "c1", at=stop.arrive_at)
