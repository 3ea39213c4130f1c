"""docker-compose.yml can't run here (no Docker engine): check what it promises instead."""

from __future__ import annotations

from pathlib import Path

import yaml

from restock.core.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def compose() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())  # type: ignore[no-any-return]


def test_compose_has_timescaledb_broker_and_restock_services() -> None:
    services = compose()["services"]
    assert "timescaledb" in services["db"]["image"]
    assert services["broker"]["image"].startswith("eclipse-mosquitto:2")
    assert services["migrate"]["command"] == ["migrate"]
    ingest = [s for name, s in services.items() if name.startswith("ingest")]
    assert len(ingest) >= 2 and all(s["command"] == ["ingest"] for s in ingest)
    assert services["api"]["command"][0] == "serve"
    assert services["api"]["environment"]["RESTOCK_API_HOST"] == "0.0.0.0"
    assert services["scheduler"]["command"] == ["schedule"]


def test_every_restock_variable_is_a_setting_and_client_ids_are_stable_and_distinct() -> None:
    fields = {f"RESTOCK_{name.upper()}" for name in Settings.model_fields}
    client_ids = []
    for name, service in compose()["services"].items():
        env = service.get("environment", {})
        unknown = {k for k in env if k.startswith("RESTOCK_")} - fields
        assert not unknown, f"{name} sets variables restock does not read: {unknown}"
        if name.startswith("ingest"):
            client_ids.append(env["RESTOCK_MQTT_CLIENT_ID"])
            assert env["RESTOCK_MQTT_SHARE_GROUP"]
    assert len(set(client_ids)) == len(client_ids)


def test_broker_mounts_the_shipped_config_with_auth_and_acl() -> None:
    volumes = compose()["services"]["broker"]["volumes"]
    for source in ("restock/core/broker/mosquitto.conf", "restock/core/broker/acl"):
        assert any(v.startswith(f"./{source}:") for v in volumes)
        assert (ROOT / source).is_file()
    conf = (ROOT / "restock/core/broker/mosquitto.conf").read_text().splitlines()
    settings = dict(line.split(" ", 1) for line in conf if line and not line.startswith("#"))
    assert settings["allow_anonymous"] == "false"
    assert settings["persistence"] == "true"
    assert int(settings["max_queued_messages"]) >= 1_000_000  # stock 1000 drops QoS 1
    assert int(settings["max_queued_bytes"]) > 0  # finite: 0 (unlimited) has had bugs
    acl = (ROOT / "restock/core/broker/acl").read_text()
    assert "pattern write restock/v1/sensors/%u/level" in acl
