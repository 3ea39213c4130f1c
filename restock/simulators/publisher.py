"""Publish simulated messages to an MQTT broker (paho-mqtt 2, QoS 1).

One client stands in for the whole fleet (a gateway): it publishes on each sensor's
topic. The number of messages in flight is bounded: past `window` unacknowledged
messages, publishing waits for the oldest to be acknowledged.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from restock.core.clock import Clock
from restock.simulators.errors import SimulationError
from restock.simulators.payloads import Message

log = logging.getLogger(__name__)


class PublishError(SimulationError):
    """The broker refused the connection or stopped acknowledging."""


@dataclass(frozen=True, slots=True, kw_only=True)
class BrokerAddress:
    host: str
    port: int
    username: str | None = None
    password: str | None = None


class ScaledClock:
    """Simulated time running `speed` times faster than `wall` from `origin`: a `Clock`
    the rest of restock can share while a live simulation runs."""

    def __init__(self, wall: Clock, origin: datetime, speed: float) -> None:
        if speed <= 0:
            raise ValueError(f"speed must be positive, got {speed}")
        self._wall = wall
        self._wall_origin = wall.now()
        self.origin = origin
        self.speed = speed

    def now(self) -> datetime:
        return self.origin + (self._wall.now() - self._wall_origin) * self.speed

    def wall_seconds_until(self, when: datetime) -> float:
        """Wall-clock seconds until simulated time reaches `when` (≤ 0 if past)."""
        return (when - self.now()).total_seconds() / self.speed


class MqttPublisher:
    """Connects on `start()`, publishes with QoS 1, `stop()` waits for acks then leaves."""

    def __init__(
        self,
        address: BrokerAddress,
        *,
        client_id: str = "restock-sim",
        window: int = 2000,
        protocol: str = "5",  # or "3.1.1" (e.g. the demo's embedded broker)
    ) -> None:
        self._address = address
        self._window = window
        self._pending: deque[mqtt.MQTTMessageInfo] = deque()
        self.published_messages = 0
        self.published_readings = 0
        self._client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=client_id,
            protocol=mqtt.MQTTv5 if protocol == "5" else mqtt.MQTTv311,
        )
        self._client.max_inflight_messages_set(min(window, 1000))
        self._client.max_queued_messages_set(0)
        if address.username:
            self._client.username_pw_set(address.username, address.password)

    def start(self, timeout: float = 10.0) -> MqttPublisher:
        """Connect and start the network thread; raises PublishError if refused."""
        try:
            self._client.connect(self._address.host, self._address.port, keepalive=30)
        except OSError as exc:
            raise PublishError(
                f"cannot reach broker {self._address.host}:{self._address.port}: {exc}"
            ) from exc
        self._client.loop_start()
        deadline = time.monotonic() + timeout
        while not self._client.is_connected():
            if time.monotonic() > deadline:
                self.stop()
                raise PublishError(f"broker {self._address.host}:{self._address.port} refused")
            time.sleep(0.01)
        return self

    def publish(self, message: Message) -> None:
        """Publish one message (QoS 1); waits while `window` are unacknowledged."""
        info = self._client.publish(message.topic, message.payload, qos=1, retain=message.retain)
        if info.rc != mqtt.MQTT_ERR_SUCCESS and info.rc != mqtt.MQTT_ERR_NO_CONN:
            raise PublishError(f"publish to {message.topic} failed: {mqtt.error_string(info.rc)}")
        self._pending.append(info)
        self.published_messages += 1
        self.published_readings += message.readings
        while len(self._pending) > self._window:
            self._wait_oldest()

    def publish_all(self, messages: Iterable[Message]) -> None:
        for message in messages:
            self.publish(message)

    def _wait_oldest(self, timeout: float = 30.0) -> None:
        info = self._pending.popleft()
        try:
            info.wait_for_publish(timeout)
        except (RuntimeError, ValueError) as exc:
            raise PublishError(f"message {info.mid} not acknowledged: {exc}") from exc
        if not info.is_published():
            raise PublishError(f"broker did not acknowledge message {info.mid} in {timeout}s")

    def flush(self) -> None:
        """Wait until every published message is acknowledged."""
        while self._pending:
            self._wait_oldest()

    def stop(self) -> None:
        try:
            self.flush()
        finally:
            self._client.disconnect()
            self._client.loop_stop()

    def __enter__(self) -> MqttPublisher:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def paced(
    messages: Iterable[Message],
    clock: ScaledClock,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterable[Message]:
    """Yield each message once simulated time reaches its `at` (live mode)."""
    for message in messages:
        wait = clock.wall_seconds_until(datetime.fromtimestamp(message.at, UTC))
        if wait > 0:
            sleep(wait)
        yield message
