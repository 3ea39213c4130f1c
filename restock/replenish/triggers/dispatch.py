"""Send visit triggers to reps: MQTT (QoS 1, `{prefix}/reps/{rep_id}/triggers`) and an
optional webhook with bounded retries.

Each trigger is published once, and so is its cancellation (same topic, same
`trigger_id` and `cause`, `status` "cancelled"): a dispatcher locks what is unsent,
publishes each and waits for the broker's PUBACK, then records it in the same
transaction. A crash between the PUBACK and the commit can resend that one message
(at-least-once); its body carries `trigger_id`, `cause` and `status` so the rep's app
drops the duplicate.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import httpx
import orjson
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from restock.core.db import Conn
from restock.replenish.errors import ReplenishError
from restock.replenish.triggers import queries as tq

log = logging.getLogger(__name__)


class DispatchError(ReplenishError):
    """A trigger could not be handed over (broker did not acknowledge, webhook failed)."""


class TriggerPublisher(Protocol):
    def publish(self, topic: str, payload: bytes) -> None:
        """Deliver `payload` or raise DispatchError."""
        ...


def trigger_topic(prefix: str, rep_id: str | None) -> str:
    return f"{prefix}/reps/{rep_id or 'unassigned'}/triggers"


@dataclass(kw_only=True)
class MqttPublisher:
    """A paho client publishing with QoS 1 and waiting for each PUBACK (`timeout_s`).
    Use as a context manager; it connects on enter and disconnects on exit."""

    host: str
    port: int
    client_id: str = "restock-dispatch"
    username: str | None = None
    password: str | None = None
    protocol: str = "5"  # or "3.1.1" (e.g. the demo's embedded broker)
    timeout_s: float = 10.0
    _client: mqtt.Client | None = None

    def __enter__(self) -> MqttPublisher:
        client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=self.client_id,
            protocol=mqtt.MQTTv5 if self.protocol == "5" else mqtt.MQTTv311,
        )
        if self.username is not None:
            client.username_pw_set(self.username, self.password)
        client.connect(self.host, self.port)
        client.loop_start()
        self._client = client
        return self

    def __exit__(self, *exc: object) -> None:
        if self._client is not None:
            self._client.disconnect()
            self._client.loop_stop()
            self._client = None

    def publish(self, topic: str, payload: bytes) -> None:
        if self._client is None:
            raise DispatchError("MqttPublisher used outside its context")
        info = self._client.publish(topic, payload, qos=1)
        try:
            info.wait_for_publish(timeout=self.timeout_s)
        except (RuntimeError, ValueError) as exc:
            raise DispatchError(f"publish to {topic} failed: {exc}") from exc
        if not info.is_published():
            raise DispatchError(f"broker did not acknowledge {topic} in {self.timeout_s}s")


def dispatch_triggers(
    conn: Conn,
    publisher: TriggerPublisher,
    *,
    at: datetime,
    prefix: str = "restock/v1",
    limit: int = 500,
) -> int:
    """Publish every open, unsent trigger and every unsent cancellation of a published
    one (up to `limit`); returns how many were sent.
    Stops at the first failure (the rest stay unsent for the next run) and raises
    DispatchError after committing what was sent. `conn` must be autocommit."""
    sent = 0
    with conn.transaction():
        for trigger in tq.unsent(conn, limit):
            try:
                publisher.publish(
                    trigger_topic(prefix, trigger.rep_id), orjson.dumps(trigger.message())
                )
            except DispatchError:
                log.warning("trigger %s not sent; %s sent before it", trigger.id, sent)
                break
            tq.mark_sent(conn, trigger, at)
            sent += 1
        else:
            return sent
    raise DispatchError(f"dispatch stopped after {sent} trigger(s); the rest stay unsent")


@dataclass(frozen=True, slots=True, kw_only=True)
class WebhookConfig:
    """POST each trigger to `url`; up to `max_attempts` over successive runs, with up to
    `retries` quick retries (backoff `backoff_s` × 2^n) on 5xx / connection errors."""

    url: str
    max_attempts: int = 5
    retries: int = 2
    backoff_s: float = 0.5
    timeout_s: float = 5.0


def post_with_retries(client: httpx.Client, cfg: WebhookConfig, body: bytes) -> bool:
    """True on a 2xx answer; 4xx is final (no retry); 5xx and transport errors are
    retried up to cfg.retries times."""
    for attempt in range(cfg.retries + 1):
        try:
            resp = client.post(
                cfg.url,
                content=body,
                headers={"content-type": "application/json"},
                timeout=cfg.timeout_s,
            )
        except httpx.TransportError as exc:
            log.warning("webhook %s: %s (attempt %s)", cfg.url, exc, attempt + 1)
        else:
            if resp.is_success:
                return True
            if resp.status_code < 500:
                log.warning("webhook %s refused: %s", cfg.url, resp.status_code)
                return False
            log.warning("webhook %s: %s (attempt %s)", cfg.url, resp.status_code, attempt + 1)
        if attempt < cfg.retries:
            time.sleep(cfg.backoff_s * 2**attempt)
    return False


def send_webhooks(
    conn: Conn, client: httpx.Client, cfg: WebhookConfig, *, at: datetime, limit: int = 100
) -> int:
    """POST open triggers (and cancellations of triggers it took) not yet accepted by
    the webhook; returns how many were accepted.
    Each call counts one attempt per trigger, up to cfg.max_attempts in all."""
    accepted = 0
    with conn.transaction():
        for trigger in tq.unwebhooked(conn, cfg.max_attempts, limit):
            ok = post_with_retries(client, cfg, orjson.dumps(trigger.message()))
            tq.record_webhook(conn, trigger, ok=ok, at=at)
            accepted += ok
    return accepted
