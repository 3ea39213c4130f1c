"""A rep's working time: which local days and hours a visit can take. Pure."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkWeek:
    """ISO weekdays worked (Monday = 1), the working hours, in a time zone."""

    days: frozenset[int] = frozenset({1, 2, 3, 4, 5})
    start: time = time(9)
    end: time = time(18)
    time_zone: str = "Asia/Tokyo"

    def __post_init__(self) -> None:
        if not self.days or not self.days <= set(range(1, 8)):
            raise ValueError(f"work days must be ISO weekdays 1..7, got {sorted(self.days)}")
        if self.start >= self.end:
            raise ValueError(f"work starts at {self.start} but ends at {self.end}")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def works_on(self, day: date) -> bool:
        return day.isoweekday() in self.days

    def hours(self, day: date) -> tuple[datetime, datetime]:
        """The working hours of `day`, as aware datetimes."""
        tz = self.zone
        return datetime.combine(day, self.start, tz), datetime.combine(day, self.end, tz)

    def first_slot(self, not_before: datetime, *, service_minutes: float = 0.0) -> datetime:
        """The first working moment at or after `not_before` with `service_minutes` left
        in that day: `not_before` itself when it falls in working hours, else the start
        of the next working day."""
        local = not_before.astimezone(self.zone)
        day = local.date()
        for _ in range(8):
            if self.works_on(day):
                begin, end = self.hours(day)
                at = max(begin, local)
                if at + timedelta(minutes=service_minutes) <= end:
                    return at
            day += timedelta(days=1)
        raise AssertionError("a week always has a working day")  # days is never empty

    def describe_day_off(self, day: date) -> str:
        worked = ", ".join(WEEKDAYS[d - 1] for d in sorted(self.days))
        return f"{day.isoformat()} is a {WEEKDAYS[day.isoweekday() - 1]}; works {worked}"


def work_week(
    days: Collection[int] | None, start: time | None, end: time | None, time_zone: str | None
) -> WorkWeek:
    """A WorkWeek from a rep's columns, the defaults where they are None."""
    default = WorkWeek()
    return WorkWeek(
        days=frozenset(days) if days else default.days,
        start=start or default.start,
        end=end or default.end,
        time_zone=time_zone or default.time_zone,
    )
