"""Trigger dispatch as a scheduled job: MQTT (honouring the configured protocol) and,
when configured, the webhook."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import paho.mqtt.client as mqtt
import psycopg
from paho.mqtt.enums import CallbackAPIVersion

from restock.core.settings import Settings
from restock.replenish.dispatch import (
    DispatchError,
    WebhookConfig,
    dispatch_triggers,
    send_webhooks,
)


@dataclass(kw_only=True)
class TriggerMqtt:
    """A QoS 1 publisher waiting for each PUBACK; MQTT 5 or 3.1.1 as configured (the
    embedded demo broker speaks only 3.1.1)."""

    settings: Settings
    timeout_s: float = 10.0
    _client: Any = None

    def __enter__(self) -> TriggerMqtt:
        s = self.settings
        protocol = mqtt.MQTTv5 if s.mqtt_protocol == "5" else mqtt.MQTTv311
        client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=f"{s.mqtt_client_id}-dispatch", protocol=protocol
        )
        if s.mqtt_username is not None:
            client.username_pw_set(s.mqtt_username, s.mqtt_password)
        client.connect(s.mqtt_host, s.mqtt_port)
        client.loop_start()
        self._client = client
        return self

    def __exit__(self, *exc: object) -> None:
        if self._client is not None:
            self._client.disconnect()
            self._client.loop_stop()
            self._client = None

    def publish(self, topic: str, payload: bytes) -> None:
        info = self._client.publish(topic, payload, qos=1)
        try:
            info.wait_for_publish(timeout=self.timeout_s)
        except (RuntimeError, ValueError) as exc:
            raise DispatchError(f"publish to {topic} failed: {exc}") from exc
        if not info.is_published():
            raise DispatchError(f"broker did not acknowledge {topic} in {self.timeout_s}s")


def dispatch_once(settings: Settings, as_of: datetime) -> str:
    """Publish unsent triggers, then POST them to the webhook if one is configured."""
    with psycopg.connect(settings.database_url, autocommit=True) as conn:
        with TriggerMqtt(settings=settings) as publisher:
            sent = dispatch_triggers(conn, publisher, at=as_of, prefix=settings.mqtt_topic_prefix)
        summary = f"{sent} trigger(s) published"
        if settings.trigger_webhook_url:
            cfg = WebhookConfig(url=settings.trigger_webhook_url)
            with httpx.Client() as client:
                accepted = send_webhooks(conn, client, cfg, at=as_of)
            summary += f", {accepted} accepted by the webhook"
    return summary
