"""The paho-mqtt side of ingest: a persistent QoS 1 session whose callback only enqueues.

The broker keeps the session under a stable client id; messages are acknowledged by
the writer (`manual_ack`) after their rows are committed. Callbacks catch and count
their own exceptions: one escaping would silently kill paho's network thread.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode
from paho.mqtt.subscribeoptions import SubscribeOptions

from restock.ingest.batch import Message
from restock.ingest.inbox import Inbox
from restock.ingest.metrics import IngestMetrics

log = logging.getLogger(__name__)


class Subscriber:
    def __init__(
        self,
        *,
        host: str,
        port: int,
        client_id: str,
        username: str | None,
        password: str | None,
        protocol: str,
        topics: list[str],
        session_expiry_s: int,
        keepalive_s: int,
        inbox: Inbox[Message],
        metrics: IngestMetrics,
    ) -> None:
        self._host = host
        self._port = port
        self._topics = topics
        self._session_expiry = session_expiry_s
        self._keepalive = keepalive_s
        self._inbox = inbox
        self._metrics = metrics
        self._v5 = protocol == "5"
        self._closing = threading.Event()
        self._started = threading.Event()
        self.connected = threading.Event()  # set once subscribed
        if self._v5:
            self._client = mqtt.Client(
                CallbackAPIVersion.VERSION2,
                client_id=client_id,
                protocol=mqtt.MQTTv5,
                manual_ack=True,
            )
        else:
            self._client = mqtt.Client(
                CallbackAPIVersion.VERSION2,
                client_id=client_id,
                protocol=mqtt.MQTTv311,
                clean_session=False,
                manual_ack=True,
            )
        if username:
            self._client.username_pw_set(username, password)
        self._client.reconnect_delay_set(min_delay=1, max_delay=10)
        self._client.on_connect = self._on_connect
        self._client.on_disconnect = self._on_disconnect
        self._client.on_message = self._on_message
        self._client.on_subscribe = self._on_subscribe

    def start(self) -> None:
        """Connect (retrying until the broker answers) and start the network thread."""
        if self._v5:
            props = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
            props.SessionExpiryInterval = self._session_expiry
            props.ReceiveMaximum = 65535
            self._client.connect_async(
                self._host, self._port, self._keepalive, clean_start=False, properties=props
            )
        else:
            self._client.connect_async(self._host, self._port, self._keepalive)
        self._client.loop_start()
        self._started.set()

    def ack(self, mid: int, qos: int) -> None:
        """Acknowledge one message; called from the writer thread after commit."""
        self._client.ack(mid, qos)

    def network_alive(self) -> bool:
        """False once paho's network thread has ended without being asked to (an
        exception escaping a callback ends it silently)."""
        if not self._started.is_set() or self._closing.is_set():
            return True
        thread = self._client._thread  # paho has no public accessor; None once it ended
        return thread is not None and thread.is_alive()

    def close(self) -> None:
        """Stop taking messages (unqueued ones stay unacknowledged, for redelivery)."""
        self._closing.set()

    def disconnect(self) -> None:
        self._closing.set()
        self._client.disconnect()
        self._client.loop_stop()
        self.connected.clear()

    def _on_connect(
        self,
        client: mqtt.Client,
        userdata: Any,
        flags: mqtt.ConnectFlags,
        reason_code: ReasonCode,
        properties: Properties | None,
    ) -> None:
        try:
            if reason_code.is_failure:
                log.error("broker refused the connection: %s", reason_code)
                return
            log.info(
                "connected to %s:%s (session present: %s)",
                self._host,
                self._port,
                flags.session_present,
            )
            if self._v5:
                client.subscribe([(t, SubscribeOptions(qos=1)) for t in self._topics])
            else:
                client.subscribe([(t, 1) for t in self._topics])
        except Exception:
            self._metrics.callback_errors.inc()
            log.exception("error in on_connect")

    def _on_subscribe(
        self,
        client: mqtt.Client,
        userdata: Any,
        mid: int,
        reason_codes: list[ReasonCode],
        properties: Properties | None,
    ) -> None:
        failed = [str(code) for code in reason_codes if code.is_failure]
        if failed:
            log.error("broker refused subscriptions %s: %s", self._topics, failed)
            return
        self._metrics.connected.set(1)
        self.connected.set()

    def _on_disconnect(
        self,
        client: mqtt.Client,
        userdata: Any,
        flags: mqtt.DisconnectFlags,
        reason_code: ReasonCode,
        properties: Properties | None,
    ) -> None:
        self._metrics.connected.set(0)
        self.connected.clear()
        if not self._closing.is_set():
            log.warning("disconnected from broker (%s); reconnecting", reason_code)

    def _on_message(self, client: mqtt.Client, userdata: Any, msg: mqtt.MQTTMessage) -> None:
        try:
            item: Message = (msg.topic, bytes(msg.payload), msg.mid, msg.qos, time.monotonic())
            if self._inbox.offer(item):
                return
            # Backpressure: while the writer catches up, stop reading from the socket.
            # Unqueued messages when closing stay unacknowledged: the broker resends them.
            self._metrics.queue_full.inc()
            self._inbox.put(item, self._closing)
        except Exception:
            self._metrics.callback_errors.inc()
            log.exception("error in on_message for %s", getattr(msg, "topic", "?"))
