"""The API's one convention for times, on the way in and on the way out.

In (query parameters and body fields): a date-time is an ISO 8601 string with an
explicit UTC offset (`2026-11-20T09:00:00+09:00`, `2026-11-20T00:00:00Z`), at or after
1970-01-01 and before 2200-01-01 (UTC), its offset within -12:00..+14:00 (those real
time zones use). A date alone, a time without an offset, epoch seconds, or a year
outside that span is refused (422, naming the field): guessing a zone, or computing a
range around year 1 or 9999, is how requests turned into 500s. A date (a route's day)
is `YYYY-MM-DD`. Date-times are UTC inside the API once parsed.

Out: every date-time is ISO 8601 with an explicit offset, of one of two kinds.
- An *instant*, when something happened or was computed (created_at, as_of, readings'
  and forecasts' times, a trigger's due_by and status times, an audit event): in UTC,
  written with `Z`. Type `Instant`.
- A *local business time*, a time someone plans their day by (a route's start and its
  stops' arrival and departure, an order's planned delivery): with the offset of the
  time zone it is lived in, which the response names in `time_zone` (the rep's for a
  route, the customer's for an order). Type `LocalDateTime`, in a `LocalTimes` model.
Times of day without a date ("09:00": opening hours, working hours) are wall-clock
times in the customer's or rep's `time_zone` (restock.api.schemas.fields.TimeOfDay).

The OpenAPI document marks each response date-time with `x-restock-time` (`instant` or
`local`), so clients, and the tests, can tell the two apart.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Annotated, Any, Self, get_args
from zoneinfo import ZoneInfo

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    Field,
    PlainSerializer,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
END_OF_TIME = datetime(2200, 1, 1, tzinfo=UTC)  # exclusive
LOWEST_OFFSET = timedelta(hours=-12)
HIGHEST_OFFSET = timedelta(hours=14)

_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?"
    r"(Z|(?P<sign>[+-])(?P<hh>\d{2}):(?P<mm>\d{2}))",
    re.ASCII,
)
_NAIVE = re.compile(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?", re.ASCII)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
EXAMPLE = "2026-11-20T09:00:00+09:00"
OFFSET_RANGE = "has a UTC offset outside -12:00..+14:00"


def parse_datetime(value: object) -> datetime:
    """An ISO 8601 date-time string with an offset, within the accepted span, as UTC.

    Raises PydanticCustomError (a 422 naming the field) for anything else.
    """
    if not isinstance(value, str):
        raise PydanticCustomError(
            "datetime_type", f"must be an ISO 8601 date-time string, e.g. {EXAMPLE}"
        )
    match = _DATETIME.fullmatch(value)
    if match is None:
        if _NAIVE.fullmatch(value):
            raise PydanticCustomError(
                "datetime_offset",
                f"has no UTC offset: add one (Z, +09:00, ...), e.g. {EXAMPLE}",
            )
        raise PydanticCustomError(
            "datetime_format", f"must be an ISO 8601 date-time, e.g. {EXAMPLE}"
        )
    if match["sign"]:
        sign = -1 if match["sign"] == "-" else 1
        offset = sign * timedelta(hours=int(match["hh"]), minutes=int(match["mm"]))
        if int(match["mm"]) > 59 or not LOWEST_OFFSET <= offset <= HIGHEST_OFFSET:
            raise PydanticCustomError("datetime_offset", OFFSET_RANGE)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError("datetime_range", "is not a date-time on the calendar") from None
    if not EARLIEST <= parsed < END_OF_TIME:  # aware comparisons cannot overflow
        raise PydanticCustomError(
            "datetime_range", "must be at or after 1970-01-01 and before 2200-01-01"
        )
    return parsed.astimezone(UTC)


def parse_date(value: object) -> date:
    """A `YYYY-MM-DD` string within the accepted span. Raises PydanticCustomError."""
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise PydanticCustomError("date_format", "must be a date as YYYY-MM-DD, e.g. 2026-11-20")
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError("date_range", "is not a date on the calendar") from None
    if not EARLIEST.date() <= parsed < END_OF_TIME.date():
        raise PydanticCustomError(
            "date_range", "must be at or after 1970-01-01 and before 2200-01-01"
        )
    return parsed


_DATETIME_IN = {
    "type": "string",
    "format": "date-time",
    "description": "ISO 8601 with a UTC offset, 1970 to 2199",
    "examples": [EXAMPLE],
}

# A date-time a client sends (query parameter or body field); UTC once parsed.
OffsetDateTime = Annotated[
    datetime, BeforeValidator(parse_datetime), WithJsonSchema(_DATETIME_IN, mode="validation")
]
# A calendar day a client sends (a route's day).
Day = Annotated[
    date,
    BeforeValidator(parse_date),
    WithJsonSchema({"type": "string", "format": "date", "examples": ["2026-11-20"]}),
]


# --- out ---------------------------------------------------------------------------


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("a response date-time must carry its offset")
    return value


def _utc(value: datetime) -> datetime:
    return _aware(value).astimezone(UTC)


class _LocalMark:
    """Marks a LocalDateTime in its annotation, for LocalTimes to find it."""


_LOCAL = _LocalMark()

Instant = Annotated[
    datetime,
    AfterValidator(_aware),
    PlainSerializer(_utc, return_type=datetime),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date-time",
            "description": "An instant, in UTC (ends in Z)",
            "x-restock-time": "instant",
        },
        mode="serialization",
    ),
]
LocalDateTime = Annotated[
    datetime,
    AfterValidator(_aware),
    _LOCAL,
    WithJsonSchema(
        {
            "type": "string",
            "format": "date-time",
            "description": "A local business time, with the offset of the response's time_zone",
            "x-restock-time": "local",
        },
        mode="serialization",
    ),
]


def in_zone(value: datetime, time_zone: str) -> datetime:
    """`value` (aware) as the wall-clock time of `time_zone`, with that zone's offset."""
    return _aware(value).astimezone(ZoneInfo(time_zone))  # ZoneInfo caches its zones


def _is_local(annotation: Any) -> bool:
    return any(arg is _LOCAL or _is_local(arg) for arg in get_args(annotation))


@cache
def _local_fields(model: type[BaseModel]) -> tuple[str, ...]:
    return tuple(
        name
        for name, field in model.model_fields.items()
        if _LOCAL in field.metadata or _is_local(field.annotation)
    )


def _models_within(value: object) -> Iterator[BaseModel]:
    if isinstance(value, BaseModel):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _models_within(item)


def _localize(model: BaseModel, time_zone: str) -> None:
    for name in _local_fields(type(model)):
        value = getattr(model, name)
        if value is not None:
            setattr(model, name, in_zone(value, time_zone))
    for name in type(model).model_fields:
        for inner in _models_within(getattr(model, name)):
            _localize(inner, time_zone)


class LocalTimes(BaseModel):
    """A response whose LocalDateTime fields, its own and those of the models it holds,
    are given in `time_zone` (converted here, whatever offset they came with)."""

    time_zone: str = Field(description="The IANA time zone of this response's local times")

    @model_validator(mode="after")
    def _local_times_in_time_zone(self) -> Self:
        _localize(self, self.time_zone)
        return self
