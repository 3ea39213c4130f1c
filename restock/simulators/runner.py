"""Drive a world against a broker: accelerated history, or live at a speed factor.

Accelerated: step the world a day at a time and publish each day's messages as fast as
the broker acknowledges them, with their historic timestamps. Live: simulated time
runs `speed` times faster than the wall clock (a `ScaledClock`); each hour is stepped
when simulated time reaches it and its messages are published when due.
"""

from __future__ import annotations

import heapq
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd

from restock.simulators.deliveries import DeliverySource
from restock.simulators.payloads import Message, level_messages, status_messages
from restock.simulators.publisher import MqttPublisher, ScaledClock
from restock.simulators.readings import Readings
from restock.simulators.world import World

log = logging.getLogger(__name__)

_HOUR = timedelta(hours=1)


@dataclass(frozen=True, slots=True, kw_only=True)
class RunStats:
    readings: int  # readings generated
    messages: int  # MQTT messages published
    published_readings: int  # readings inside the published level messages
    seconds: float


def _messages(
    world: World, readings: Readings, t0: float, t1: float, prefix: str, batch: int
) -> list[Message]:
    out = level_messages(readings, prefix, batch=batch)
    out += status_messages(world.plan.statuses(t0, t1), prefix)
    return out


def run_accelerated(
    world: World,
    publisher: MqttPublisher | None,
    *,
    source: DeliverySource | None = None,
    prefix: str = "restock/v1",
    batch: int = 24,
    step: timedelta = timedelta(days=1),
    on_step: Callable[[World], None] | None = None,
) -> tuple[Readings, RunStats]:
    """Step the whole horizon `step` at a time, publishing each step's messages (when a
    publisher is given). `on_step` is called after each step (progress, closed-loop
    hooks). Returns all readings and counts."""
    started = time.perf_counter()
    parts: list[Readings] = []
    messages = 0
    while world.now < world.end:
        t0 = world.hour * 3600.0
        readings = world.advance(min(world.now + step, world.end), source)
        parts.append(readings)
        if publisher is not None:
            batch_messages = _messages(world, readings, t0, world.hour * 3600.0, prefix, batch)
            publisher.publish_all(batch_messages)
            messages += len(batch_messages)
        if on_step is not None:
            on_step(world)
    if publisher is not None:
        publisher.flush()
    all_readings = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    return all_readings, RunStats(
        readings=len(all_readings),
        messages=messages,
        published_readings=publisher.published_readings if publisher else 0,
        seconds=time.perf_counter() - started,
    )


def run_live(
    world: World,
    publisher: MqttPublisher,
    clock: ScaledClock,
    *,
    source: DeliverySource | None = None,
    prefix: str = "restock/v1",
    stop: threading.Event | None = None,
) -> RunStats:
    """Run the horizon in (scaled) real time until it ends or `stop` is set. Each
    message is published when simulated time reaches its `at`; a backlog waits in a
    heap until its sensor comes back online."""
    started = time.perf_counter()
    stop = stop or threading.Event()
    heap: list[tuple[float, int, Message]] = []
    counter = 0
    generated = 0
    published = 0

    def due_until(limit: datetime) -> None:
        nonlocal published
        while heap and not stop.is_set():
            at, _, message = heap[0]
            if at >= limit.timestamp():
                return
            wait = clock.wall_seconds_until(datetime.fromtimestamp(at, limit.tzinfo))
            if wait > 0:
                stop.wait(min(wait, 1.0))
                continue
            heapq.heappop(heap)
            publisher.publish(message)
            published += 1

    while world.now < world.end and not stop.is_set():
        wait = clock.wall_seconds_until(world.now)
        if wait > 0:
            stop.wait(min(wait, 1.0))
            continue
        t0 = world.hour * 3600.0
        readings = world.advance(world.now + _HOUR, source)
        generated += len(readings)
        for message in _messages(world, readings, t0, world.hour * 3600.0, prefix, batch=1):
            heapq.heappush(heap, (message.at, counter, message))
            counter += 1
        due_until(world.now)
        log.debug("live: simulated %s, %s messages waiting", world.now.isoformat(), len(heap))
    due_until(world.end + timedelta(days=365))
    publisher.flush()
    return RunStats(
        readings=generated,
        messages=published,
        published_readings=publisher.published_readings,
        seconds=time.perf_counter() - started,
    )
