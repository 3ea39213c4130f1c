"""A rep's day: which customers, in which order, at what time — solved with PyVRP.

Required stops (due triggers, deliveries) and optional ones with a prize (A customers
due for their cadence visit, customers with an upcoming need); each within its opening
hours that day and the rep's working hours; travel from a `TravelTimes` (haversine ×
detour at a fixed speed by default: plug a road matrix in behind the same interface).
A required stop that cannot fit is reported in `skipped_required`, never dropped silently.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from pyvrp import Model
from pyvrp.exceptions import PenaltyBoundWarning
from pyvrp.stop import MaxRuntime

REQUIRED_PRIZE = 10**6  # metres: 1000 km, above any day's driving: visited whenever it fits


class TravelTimes(Protocol):
    def between(self, a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
        """(km, minutes) from a to b, both (lat, lon)."""
        ...


@dataclass(frozen=True, slots=True, kw_only=True)
class Haversine:
    """Great-circle distance × `detour`, driven at `speed_kmh`."""

    speed_kmh: float = 25.0
    detour: float = 1.3

    def between(self, a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
        km = haversine_km(a, b) * self.detour
        return km, km / self.speed_kmh * 60.0


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(min(h, 1.0)))


@dataclass(frozen=True, slots=True, kw_only=True)
class Stop:
    """A customer to visit. window: (open, close) as aware datetimes on the day;
    prize: worth of an optional visit in km of driving it justifies."""

    customer_id: str
    lat: float
    lon: float
    required: bool
    window: tuple[datetime, datetime]
    service_minutes: float = 15.0
    prize_km: float = 0.0
    purposes: tuple[str, ...] = ()
    trigger_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class RepDay:
    rep_id: str
    depot: tuple[float, float]
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class PlannedStop:
    seq: int
    customer_id: str
    arrive_at: datetime
    depart_at: datetime
    required: bool
    purposes: tuple[str, ...] = ()
    trigger_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class RoutePlan:
    rep_id: str
    start: datetime
    stops: tuple[PlannedStop, ...]
    distance_km: float
    duration_minutes: float
    skipped_required: tuple[str, ...] = ()
    skipped_optional: tuple[str, ...] = field(default=())


def _reachable(day: RepDay, s: Stop, travel: TravelTimes) -> bool:
    """Whether a visit to `s` alone fits the day (drive there, serve in its window, back)."""
    _, there = travel.between(day.depot, (s.lat, s.lon))
    _, back = travel.between((s.lat, s.lon), day.depot)
    begin = max(day.start + timedelta(minutes=there), s.window[0])
    done = begin + timedelta(minutes=s.service_minutes)
    return done <= s.window[1] and done + timedelta(minutes=back) <= day.end


def plan_route(
    day: RepDay,
    stops: Sequence[Stop],
    *,
    travel: TravelTimes | None = None,
    max_runtime_s: float = 1.0,
    seed: int = 0,
) -> RoutePlan:
    """The best route for `day` over `stops` (see the module docstring). Times in the
    model are minutes from day.start; distances metres."""
    tt = travel or Haversine()
    all_stops = stops
    stops = [s for s in stops if _reachable(day, s, tt)]
    if not stops:
        return RoutePlan(
            rep_id=day.rep_id,
            start=day.start,
            stops=(),
            distance_km=0.0,
            duration_minutes=0.0,
            skipped_required=tuple(s.customer_id for s in all_stops if s.required),
            skipped_optional=tuple(s.customer_id for s in all_stops if not s.required),
        )
    horizon = int((day.end - day.start).total_seconds() // 60)

    def minutes(when: datetime) -> int:
        return min(max(int((when - day.start).total_seconds() // 60), 0), horizon)

    m = Model()
    points = [day.depot, *((s.lat, s.lon) for s in stops)]
    locations = [m.add_location(x=lon, y=lat) for lat, lon in points]
    depot = m.add_depot(locations[0])
    m.add_vehicle_type(1, start_depot=depot, end_depot=depot, tw_early=0, tw_late=horizon)
    for loc, s in zip(locations[1:], stops, strict=True):
        early, late = minutes(s.window[0]), minutes(s.window[1])
        m.add_client(
            loc,
            service_duration=round(s.service_minutes),
            tw_early=early,
            tw_late=max(late - round(s.service_minutes), early),
            prize=REQUIRED_PRIZE if s.required else round(s.prize_km * 1000),
            required=False,
            name=s.customer_id,
        )
    for i, a in enumerate(points):
        for j, b in enumerate(points):
            km, mins = (0.0, 0.0) if i == j else tt.between(a, b)
            m.add_edge(locations[i], locations[j], distance=round(km * 1000), duration=round(mins))
    with warnings.catch_warnings():
        # raised when a stop cannot fit; the stop is then reported as skipped below
        warnings.simplefilter("ignore", PenaltyBoundWarning)
        result = m.solve(stop=MaxRuntime(max_runtime_s), seed=seed, display=False)
    best = result.best
    visited: list[PlannedStop] = []
    distance = duration = 0.0
    if best.is_feasible() and best.routes():
        route = best.routes()[0]
        distance, duration = route.distance() / 1000.0, float(route.duration())
        for activity in route.schedule():
            if not activity.is_client():
                continue
            s = stops[activity.idx]
            visited.append(
                PlannedStop(
                    seq=len(visited) + 1,
                    customer_id=s.customer_id,
                    arrive_at=day.start + timedelta(minutes=activity.start_time),
                    depart_at=day.start + timedelta(minutes=activity.end_time),
                    required=s.required,
                    purposes=s.purposes,
                    trigger_ids=s.trigger_ids,
                )
            )
    seen = {v.customer_id for v in visited}
    return RoutePlan(
        rep_id=day.rep_id,
        start=day.start,
        stops=tuple(visited),
        distance_km=distance,
        duration_minutes=duration,
        skipped_required=tuple(
            s.customer_id for s in all_stops if s.required and s.customer_id not in seen
        ),
        skipped_optional=tuple(
            s.customer_id for s in all_stops if not s.required and s.customer_id not in seen
        ),
    )
