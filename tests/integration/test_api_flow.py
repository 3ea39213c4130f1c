"""The loop through the API: a device publishes readings over MQTT, the scheduled jobs
forecast and draft an order, a planner approves it, and the rep works their trigger."""

from __future__ import annotations

from datetime import timedelta

import psycopg

from restock.api.app import create_app
from restock.api.auth import Role, create_token
from restock.core.clock import ManualClock
from restock.core.local_broker import LocalBroker
from restock.core.settings import Settings
from restock.ingest.service import Ingester
from restock.scheduler.jobs import forecast_job, replenish_job
from restock.scheduler.runner import JobRunner, Outcome
from tests.integration.test_api_fixtures import NOW, TestClient, seed
from tests.support.world import count, publish_all, publisher, wait_for


def test_device_to_forecast_to_approved_order_to_rep_trigger(
    database_url: str, db: psycopg.Connection, broker: LocalBroker
) -> None:
    seed(db)
    db.execute("DELETE FROM forecasts")
    db.execute("DELETE FROM readings")
    db.execute("UPDATE auto_approve_rules SET enabled = false")  # the planner decides
    settings = Settings(
        database_url=database_url,
        mqtt_url=broker.url,
        metrics_port=0,
        schedule_forecast_workers=1,
        mqtt_client_id="flow-ingest",
    )
    ingester = Ingester(settings, ManualClock(NOW), serve_metrics=False)
    ingester.start()
    # a reading published before the ingester's subscription stands is not delivered
    assert ingester.subscriber.connected.wait(30), "ingest did not subscribe"
    device = publisher(broker.port, "shelf-gateway")
    try:
        publish_all(
            device,
            (
                (
                    f"restock/v1/sensors/s-{customer}/level",
                    {"ts": (NOW - timedelta(hours=48 - h)).isoformat(), "value": 100.0 - h},
                )
                for customer in ("cust-1", "cust-2")
                for h in range(48)
            ),
        )
        wait_for(lambda: count(db, "SELECT count(*) FROM readings") == 96, 60, "ingest")
    finally:
        device.loop_stop()
        device.disconnect()
        ingester.stop()

    clock = ManualClock(NOW + timedelta(minutes=5))
    runner = JobRunner(database_url, clock, "test")
    assert runner.run(forecast_job(settings)) is Outcome.done
    assert runner.run(replenish_job(settings)) is Outcome.done

    planner_token = create_token(db, Role.planner).token
    rep_token = create_token(db, Role.rep, rep_id="rep-1").token
    planner = {"Authorization": f"Bearer {planner_token}"}
    rep = {"Authorization": f"Bearer {rep_token}"}
    with TestClient(create_app(settings, clock=clock)) as client:
        drafts = client.get("/v1/orders", params={"status": "draft"}, headers=planner).json()
        mine = next(o for o in drafts if o["customer_id"] == "cust-1")
        assert client.post(f"/v1/orders/{mine['id']}/approve", headers=rep).status_code == 403
        approved = client.post(f"/v1/orders/{mine['id']}/approve", headers=planner).json()
        assert approved["status"] == "approved"
        assert approved["events"][-1]["action"] == "approved"
        assert approved["approved_by"].startswith("planner")
        again = client.post(f"/v1/orders/{mine['id']}/approve", headers=planner)
        assert again.status_code == 409
        assert again.json()["error"]["code"] == "conflict"

        triggers = client.get("/v1/triggers", headers=rep).json()
        assert triggers and {t["customer_id"] for t in triggers} == {"cust-1"}
        first = triggers[0]["id"]
        acked = client.post(f"/v1/triggers/{first}/acknowledge", headers=rep).json()
        assert acked["status"] == "acknowledged"
        done = client.post(f"/v1/triggers/{first}/complete", headers=rep).json()
        assert done["status"] == "completed"
        others = client.get("/v1/triggers", params={"rep_id": "rep-2"}, headers=planner).json()
        assert others and all(t["rep_id"] == "rep-2" for t in others)
        foreign = others[0]["id"]
        assert client.post(f"/v1/triggers/{foreign}/complete", headers=rep).status_code == 404

        period = {
            "start": (NOW - timedelta(days=1)).isoformat(),
            "end": (NOW + timedelta(days=1)).isoformat(),
        }
        by_rep = client.get("/v1/kpis", params=period, headers=planner).json()
        figures = {row["group"]: row for row in by_rep}
        assert figures["rep-1"]["visits"] == 1
        assert figures["rep-1"]["orders"] == 1
        assert figures["rep-1"]["orders_per_visit"] == 1.0
        assert figures["rep-1"]["auto_approval_rate"] == 0.0
        assert figures["rep-1"]["stockouts"] == 0
        assert figures["rep-2"]["orders"] == 0
        own = client.get("/v1/kpis", params=period, headers=rep).json()
        assert [row["group"] for row in own] == ["rep-1"]
