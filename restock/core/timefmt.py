"""Times, durations and numbers as people read them (pages, visit briefs): in the
place's own time zone, with the zone named — a page never shows a bare UTC time."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

DEFAULT_ZONE = "Asia/Tokyo"


@cache
def _zone(name: str | None) -> ZoneInfo:
    return ZoneInfo(name or DEFAULT_ZONE)


def local(when: datetime | None, zone: str | None = None, *, with_date: bool = True) -> str:
    """'Fri 20 Nov 21:00 JST' (or '21:00 JST'); '—' for None."""
    if when is None:
        return "—"
    at = when.astimezone(_zone(zone))
    return at.strftime("%a %d %b %H:%M %Z" if with_date else "%H:%M %Z")


def local_time(when: datetime | None, zone: str | None = None) -> str:
    """'21:00' in the zone; '—' for None."""
    return "—" if when is None else when.astimezone(_zone(zone)).strftime("%H:%M")


def zone_name(when: datetime, zone: str | None = None) -> str:
    """The zone's abbreviation at `when`: 'JST'."""
    return when.astimezone(_zone(zone)).strftime("%Z")


def local_day(when: datetime, zone: str | None = None) -> date:
    """The calendar day `when` falls on in the zone."""
    return when.astimezone(_zone(zone)).date()


def local_date(when: datetime | date | None, zone: str | None = None) -> str:
    """'Fri 20 Nov' in the zone ('—' for None); a date is shown as it is."""
    if when is None:
        return "—"
    day = when.astimezone(_zone(zone)).date() if isinstance(when, datetime) else when
    return day.strftime("%a %d %b")


def age(span: timedelta | float | None) -> str:
    """'just now', '35 min', '3 h 10 min', '2 d 4 h' ('—' for None)."""
    if span is None:
        return "—"
    seconds = span.total_seconds() if isinstance(span, timedelta) else float(span)
    minutes = int(max(seconds, 0) // 60)
    if minutes < 1:
        return "just now"
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def until(when: datetime | None, now: datetime) -> str:
    """'in 9 h', 'in 2 d 4 h', '3 h ago' ('—' for None)."""
    if when is None:
        return "—"
    span = when - now
    return f"in {age(span)}" if span >= timedelta(0) else f"{age(-span)} ago"


def quantity(value: float | None) -> str:
    """12 → '12', 12.5 → '12.5', 1500 → '1,500' ('—' for None)."""
    if value is None:
        return "—"
    if abs(value - round(value)) < 1e-9:
        return f"{round(value):,}"
    return f"{value:,.1f}"


def money(value: float | None) -> str:
    """14400 → '14,400' ('—' for None)."""
    return "—" if value is None else f"{value:,.0f}"


def percent(value: float | None) -> str:
    """0.834 → '83%' ('—' for None)."""
    return "—" if value is None else f"{value:.0%}"
