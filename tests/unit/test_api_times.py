"""The API's time convention as pure functions and types: what a date-time parameter
must look like, and how instants and local business times are written."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError

from restock.api.schemas.times import (
    Day,
    Instant,
    LocalDateTime,
    LocalTimes,
    OffsetDateTime,
    in_zone,
)

DATETIME = TypeAdapter(OffsetDateTime)
DAY = TypeAdapter(Day)


def refusal(adapter: TypeAdapter[object], value: object) -> str:
    with pytest.raises(ValidationError) as caught:
        adapter.validate_python(value)
    return str(caught.value.errors()[0]["type"])


def test_a_date_time_with_an_offset_is_read_as_utc() -> None:
    parsed = DATETIME.validate_python("2026-11-20T09:00:00+09:00")
    assert parsed == datetime(2026, 11, 20, 0, 0, tzinfo=UTC)
    assert parsed.utcoffset() == timedelta(0)
    assert DATETIME.validate_python("2026-11-20T00:00Z") == parsed
    assert DATETIME.validate_python("2026-11-19T12:00:00.5-12:00") == parsed + timedelta(
        seconds=0.5
    )


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("2026-12-01", "datetime_offset"),  # a date is not a date-time
        ("2026-11-30T00:00:00", "datetime_offset"),  # no offset: which zone?
        ("2026-11-30 00:00:00", "datetime_offset"),
        ("0.5", "datetime_format"),  # no epoch seconds
        ("0", "datetime_format"),
        (0.5, "datetime_type"),
        (False, "datetime_type"),
        ("0001-01-01T00:00:00Z", "datetime_range"),
        ("9999-12-31T23:59:59Z", "datetime_range"),
        ("9999-12-31T23:59:59-12:00", "datetime_range"),  # beyond 9999 in UTC
        ("1969-12-31T23:59:59Z", "datetime_range"),
        ("2200-01-01T00:00:00Z", "datetime_range"),
        ("2026-02-30T00:00:00Z", "datetime_range"),
        ("2026-02-10T00:00:00+16:00", "datetime_offset"),  # PostgreSQL refuses it
        ("2026-02-10T00:00:00+14:01", "datetime_offset"),
        ("2026-02-10T00:00:00-12:30", "datetime_offset"),
        ("2026-02-10T00:00:00+09:60", "datetime_offset"),
        ("2026-02-10T00:00:00+25:00", "datetime_offset"),
        ("2026-02-10T00:00:00\x00Z", "datetime_format"),
    ],
)
def test_anything_else_is_refused_with_a_reason(value: object, kind: str) -> None:
    assert refusal(DATETIME, value) == kind


def test_the_span_ends_are_where_the_docs_say() -> None:
    assert DATETIME.validate_python("1970-01-01T00:00:00Z").year == 1970
    assert DATETIME.validate_python("2199-12-31T23:59:59.999999Z").year == 2199
    assert DATETIME.validate_python("1970-01-01T09:00:00+09:00").year == 1970
    assert DATETIME.validate_python("2199-12-31T13:59:59+14:00").year == 2199


def test_a_day_is_an_iso_date_and_nothing_else() -> None:
    assert DAY.validate_python("2026-11-23") == date(2026, 11, 23)
    for value in ("0", 0, "20261123", "2026-11-23T00:00:00Z", "0001-01-01", "2026-13-01"):
        assert refusal(DAY, value).startswith("date_")


class Stop(BaseModel):
    at: LocalDateTime


class Plan(LocalTimes):
    made: Instant
    start: LocalDateTime
    end: LocalDateTime | None
    stops: list[Stop]


def test_instants_are_written_in_utc_and_local_times_in_the_named_zone() -> None:
    tokyo_nine = datetime(2026, 11, 23, 9, 0, tzinfo=timezone(timedelta(hours=9)))
    plan = Plan(
        time_zone="Asia/Kolkata",
        made=tokyo_nine,
        start=tokyo_nine,
        end=None,
        stops=[Stop(at=tokyo_nine.astimezone(UTC))],
    )
    assert plan.model_dump(mode="json") == {
        "time_zone": "Asia/Kolkata",
        "made": "2026-11-23T00:00:00Z",
        "start": "2026-11-23T05:30:00+05:30",
        "end": None,
        "stops": [{"at": "2026-11-23T05:30:00+05:30"}],
    }


def test_a_local_time_follows_its_zones_daylight_saving() -> None:
    summer = in_zone(datetime(2026, 7, 1, 12, tzinfo=UTC), "Europe/Berlin")
    winter = in_zone(datetime(2026, 1, 1, 12, tzinfo=UTC), "Europe/Berlin")
    assert (summer.isoformat(), winter.isoformat()) == (
        "2026-07-01T14:00:00+02:00",
        "2026-01-01T13:00:00+01:00",
    )


def test_a_naive_date_time_cannot_leave_the_api() -> None:
    with pytest.raises(ValidationError):
        Plan(
            time_zone="Asia/Tokyo",
            made=datetime(2026, 11, 23),
            start=datetime(2026, 11, 23, tzinfo=UTC),
            end=None,
            stops=[],
        )
