"""Where refills come from: the `DeliverySource` interface and a scripted schedule.

The world asks its source, each time it steps, which deliveries arrive in the step.
A scripted source serves baselines and tests; `deliveries_db.DbDeliveries` reads what
restock itself delivered (closed loop).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from restock.simulators.scenario import Scenario


@dataclass(frozen=True, slots=True, kw_only=True)
class Delivery:
    """Stock arriving at a stock point (`series_id` = "customer:product").

    Either `quantity` units are added, or (when `up_to` is set) the level is filled up
    to `up_to` units. The level never exceeds the stock point's capacity; what does not
    fit is recorded as overflow in the ground truth.
    """

    series_id: str
    at: datetime
    quantity: float = 0.0
    up_to: float | None = None
    ref: str = ""


class DeliverySource(Protocol):
    def deliveries(self, start: datetime, end: datetime) -> Sequence[Delivery]:
        """Deliveries arriving in [start, end), or late ones not reported before.

        The world calls this once per step, with consecutive windows.
        """
        ...


class NoDeliveries:
    """A world nobody refills (except customers' own restocks)."""

    def deliveries(self, start: datetime, end: datetime) -> Sequence[Delivery]:
        return ()


class ScriptedDeliveries:
    """A fixed list of deliveries, served by time window."""

    def __init__(self, deliveries: Iterable[Delivery]) -> None:
        self._items = sorted(deliveries, key=lambda d: d.at)
        self._times = [d.at for d in self._items]

    def deliveries(self, start: datetime, end: datetime) -> Sequence[Delivery]:
        lo = bisect_left(self._times, start)
        return self._items[lo : bisect_left(self._times, end, lo=lo)]

    def __len__(self) -> int:
        return len(self._items)


class PlannedDeliveries:
    """Deliveries a policy books while the world runs (an in-memory closed loop):
    `book()` a delivery for any time ≥ the world's `now`; each is served once. One
    booked for a time already stepped arrives at the next step."""

    def __init__(self) -> None:
        self._pending: list[Delivery] = []

    def book(self, delivery: Delivery) -> None:
        self._pending.append(delivery)

    def deliveries(self, start: datetime, end: datetime) -> Sequence[Delivery]:
        due = [d for d in self._pending if d.at < end]
        self._pending = [d for d in self._pending if d.at >= end]
        return sorted(due, key=lambda d: d.at)

    def __len__(self) -> int:
        return len(self._pending)


def scheduled_refills(scenario: Scenario, start: datetime, days: float) -> ScriptedDeliveries:
    """The baseline schedule the scenario describes: per stock point with
    `refill.every_days` > 0, a fill-up to `refill.up_to` × capacity every
    `every_days` days at local hour `refill.at_hour`, from `offset_days` on."""
    end = start + timedelta(days=days)
    items: list[Delivery] = []
    for sp in scenario.stock_points:
        spec = sp.refill
        if spec.every_days <= 0:
            continue
        tz = ZoneInfo(scenario.customer(sp.customer_id).time_zone)
        local_midnight = start.astimezone(tz).replace(hour=0, minute=0, second=0, microsecond=0)
        first = local_midnight + timedelta(days=spec.offset_days, hours=spec.at_hour)
        k = 0
        while True:
            at = first + timedelta(days=k * spec.every_days)
            if at >= end:
                break
            if at >= start:
                items.append(
                    Delivery(
                        series_id=sp.series_id,
                        at=at.astimezone(start.tzinfo),
                        up_to=spec.up_to * sp.capacity,
                        ref=f"scripted-{k}",
                    )
                )
            k += 1
    return ScriptedDeliveries(items)
