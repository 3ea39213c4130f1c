"""Field types for request bodies, each saying exactly what the database accepts.

Bodies are validated strictly (`Strict`): a boolean is not a number, a number is not a
string, `false` is not 0, NaN and infinities are refused, and unknown fields are an
error. Every bound, pattern and enum below is the column's CHECK, type or length seen
from the API, so a body the schema admits is a row the database takes, and a bad one
is a 422 naming the field before it reaches SQL.
"""

from __future__ import annotations

import re
from datetime import time
from functools import cache
from typing import Annotated, Any, Literal
from zoneinfo import available_timezones

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    PlainSerializer,
    WithJsonSchema,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError, core_schema


def _admits_null(schema: dict[str, Any]) -> bool:
    options = schema.get("anyOf", [schema])
    return any(option.get("type") == "null" for option in options)


def _no_null_defaults(schema: dict[str, Any]) -> None:
    """A field that may be left out but never be null has no `default: null`."""
    for prop in schema.get("properties", {}).values():
        if "default" in prop and prop["default"] is None and not _admits_null(prop):
            del prop["default"]


class Strict(BaseModel):
    """A request body: strict types, no NaN or infinity, no unknown fields."""

    model_config = ConfigDict(
        extra="forbid", strict=True, allow_inf_nan=False, json_schema_extra=_no_null_defaults
    )


def _refuse_null(value: Any, handler: core_schema.ValidatorFunctionWrapHandler) -> Any:
    if value is None:
        raise PydanticCustomError("not_null", "may be left out, but cannot be null")
    return handler(value)


class _NotNull:
    """`Annotated[X | None, NotNull] = None`: a field a PATCH may leave out (None: not
    set) but never set to null, because its column is NOT NULL."""

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.no_info_wrap_validator_function(_refuse_null, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        options = [o for o in json_schema.get("anyOf", []) if o.get("type") != "null"]
        return options[0] if len(options) == 1 else json_schema


NotNull = _NotNull()

# PostgreSQL text cannot hold NUL; a name has something besides spaces.
NO_NUL = r"^[^\x00]*$"
Id = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
Name = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\x00]*[^\x00\s][^\x00]*$")]
Lat = Annotated[float, Field(ge=-90, le=90)]
Lon = Annotated[float, Field(ge=-180, le=180)]
Positive = Annotated[float, Field(gt=0, le=1e12)]
NonNegative = Annotated[float, Field(ge=0, le=1e12)]
BigId = Annotated[int, Field(ge=1, le=2**62)]
Segment = Literal["A", "B", "C"]
SensorKind = Literal["shelf_weight", "shelf_count", "line_bin"]
SensorStatus = Literal["unknown", "online", "offline"]


# --- time zones and times of day ------------------------------------------------------


@cache
def _zone_names() -> frozenset[str]:
    # read from the system's (or the tzdata package's) zone files on first use
    return frozenset(available_timezones())


def _known_zone(name: str) -> str:
    if name not in _zone_names():
        raise PydanticCustomError("time_zone", "must be an IANA time zone name, e.g. Asia/Tokyo")
    return name


TimeZoneName = Annotated[
    str,
    Field(min_length=1, max_length=64, pattern=r"^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$"),
    AfterValidator(_known_zone),
    WithJsonSchema(
        {
            "type": "string",
            "minLength": 1,
            "maxLength": 64,
            "pattern": r"^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$",
            "description": "An IANA time zone name",
            "examples": ["Asia/Tokyo"],
        }
    ),
]

_HH_MM = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]", re.ASCII)
HH_MM = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
# An opening interval may end at midnight, "24:00".
HH_MM_OR_MIDNIGHT = r"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$"


def _time_of_day(value: object) -> object:
    if isinstance(value, time):
        return value
    if not isinstance(value, str) or not _HH_MM.fullmatch(value):
        raise PydanticCustomError("time_of_day", "must be a time of day as HH:MM, 00:00 to 23:59")
    return time.fromisoformat(value)


# A wall-clock time in the customer's or rep's own time zone ("09:00"): no UTC offset,
# so not JSON Schema's `time` format, which requires one.
TimeOfDay = Annotated[
    time,
    BeforeValidator(_time_of_day),
    PlainSerializer(lambda t: t.isoformat(timespec="minutes"), return_type=str),
    WithJsonSchema({"type": "string", "pattern": HH_MM, "examples": ["09:00"]}),
]

Weekday = Literal["1", "2", "3", "4", "5", "6", "7"]
Interval = Annotated[
    list[Annotated[str, Field(pattern=HH_MM_OR_MIDNIGHT)]], Field(min_length=2, max_length=2)
]


def _intervals_in_order(hours: dict[str, list[list[str]]]) -> dict[str, list[list[str]]]:
    """Each interval starts before it ends; a day's intervals are in order, apart."""
    for day, intervals in sorted(hours.items()):
        previous_end = "00:00"
        for start, end in intervals:
            if not start < end or start == "24:00":
                raise PydanticCustomError(
                    "opening_hours", "weekday {day}: {start}-{end} does not start before it ends",
                    {"day": day, "start": start, "end": end},
                )  # fmt: skip
            if start < previous_end:
                raise PydanticCustomError(
                    "opening_hours",
                    "weekday {day}: intervals must be in order and must not overlap",
                    {"day": day},
                )
            previous_end = end
    return hours


OpeningHours = Annotated[
    dict[Weekday, Annotated[list[Interval], Field(max_length=6)]],
    AfterValidator(_intervals_in_order),
    Field(
        description="Per ISO weekday (1 = Monday), the [start, end] intervals the customer is"
        " open, HH:MM in its time_zone; a day left out is closed; {} means no constraint.",
        examples=[{"1": [["09:00", "12:00"], ["13:00", "18:00"]], "6": [["10:00", "14:00"]]}],
    ),
]


def _distinct_days(days: list[int]) -> list[int]:
    if len(set(days)) != len(days):
        raise PydanticCustomError("unique", "lists a day twice")
    return sorted(days)


# ISO weekdays, Monday = 1: at least one, each once.
WorkDays = Annotated[
    list[Annotated[int, Field(ge=1, le=7)]],
    Field(min_length=1, max_length=7, json_schema_extra={"uniqueItems": True}),
    AfterValidator(_distinct_days),
]
