"""A line's chart: the last 14 days of levels, then the forecast — the median running
down to its stockout and the P10–P90 band around it — with the next visit, the planned
delivery and now marked. The output is the data a Chart.js line chart draws (x in epoch
milliseconds); the page's script only hands it over."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

HISTORY = timedelta(days=14)
BAND_STEPS = 48


@dataclass(frozen=True, slots=True, kw_only=True)
class LevelPoint:
    time: datetime
    level: float


@dataclass(frozen=True, slots=True, kw_only=True)
class ForecastLine:
    as_of: datetime
    level: float
    stockout_p10: datetime | None
    stockout_p50: datetime | None
    stockout_p90: datetime | None
    horizon_end: datetime


def _ms(when: datetime) -> int:
    return int(when.timestamp() * 1000)


def projected(level: float, start: datetime, empty_at: datetime, at: datetime) -> float:
    """The level at `at` on a straight line from `level` at `start` to empty at `empty_at`."""
    span = (empty_at - start).total_seconds()
    if span <= 0:
        return 0.0
    return max(level * (1.0 - (at - start).total_seconds() / span), 0.0)


def band(forecast: ForecastLine) -> list[dict[str, float]]:
    """Points {x, median, low, high} from the forecast's time to the P90 stockout (or the
    horizon), the stockout times themselves included. A stockout beyond the horizon is
    drawn as reaching empty at twice the horizon: the line still slopes as consumption
    goes on, and the chart stops at the horizon."""
    f = forecast
    beyond = f.horizon_end + (f.horizon_end - f.as_of)
    p10, p50, p90 = (t or beyond for t in (f.stockout_p10, f.stockout_p50, f.stockout_p90))
    last = min(p90, f.horizon_end) if f.stockout_p90 is None else p90
    step = (last - f.as_of) / BAND_STEPS
    times = {f.as_of + step * i for i in range(BAND_STEPS + 1)} | {p10, p50, p90}
    return [
        {
            "x": _ms(t),
            "median": round(projected(f.level, f.as_of, p50, t), 3),
            "low": round(projected(f.level, f.as_of, p10, t), 3),
            "high": round(projected(f.level, f.as_of, p90, t), 3),
        }
        for t in sorted(times)
        if t <= last
    ]


def level_chart(
    levels: Sequence[LevelPoint],
    forecast: ForecastLine | None,
    *,
    now: datetime,
    capacity: float,
    deliver_at: datetime | None,
    next_visit: datetime | None,
    unit: str,
    zone: str,
) -> dict[str, Any]:
    """The chart's data: `levels` (the history), `median`/`low`/`high` (the forecast),
    `capacity`, and vertical `markers` (now, next visit, delivery), x in epoch ms; times
    are labelled in `zone`."""
    points = band(forecast) if forecast is not None else []
    markers = [{"x": _ms(now), "label": "now", "kind": "now"}]
    if next_visit is not None:
        markers.append({"x": _ms(next_visit), "label": "next visit", "kind": "visit"})
    if deliver_at is not None:
        markers.append({"x": _ms(deliver_at), "label": "delivery", "kind": "delivery"})
    return {
        "unit": unit,
        "zone": zone,
        "capacity": capacity,
        "levels": [{"x": _ms(p.time), "y": round(p.level, 3)} for p in levels],
        "median": [{"x": p["x"], "y": p["median"]} for p in points],
        "low": [{"x": p["x"], "y": p["low"]} for p in points],
        "high": [{"x": p["x"], "y": p["high"]} for p in points],
        "markers": markers,
        "start": _ms(now - HISTORY),
    }
