"""Trigger dispatch as a scheduled job: MQTT (in the configured protocol; the demo's
embedded broker speaks only 3.1.1) and, when configured, the webhook."""

from __future__ import annotations

from datetime import datetime

import httpx
import psycopg

from restock.core.settings import Settings
from restock.replenish.triggers.dispatch import (
    MqttPublisher,
    WebhookConfig,
    dispatch_triggers,
    send_webhooks,
)


def dispatch_once(settings: Settings, as_of: datetime) -> str:
    """Publish unsent triggers, then POST them to the webhook if one is configured."""
    with psycopg.connect(settings.database_url, autocommit=True) as conn:
        publisher = MqttPublisher(
            host=settings.mqtt_host,
            port=settings.mqtt_port,
            client_id=f"{settings.mqtt_client_id}-dispatch",
            username=settings.mqtt_username,
            password=settings.mqtt_password,
            protocol=settings.mqtt_protocol,
        )
        with publisher:
            sent = dispatch_triggers(conn, publisher, at=as_of, prefix=settings.mqtt_topic_prefix)
        summary = f"{sent} trigger(s) published"
        if settings.trigger_webhook_url:
            cfg = WebhookConfig(url=settings.trigger_webhook_url)
            with httpx.Client() as client:
                accepted = send_webhooks(conn, client, cfg, at=as_of)
            summary += f", {accepted} accepted by the webhook"
    return summary
