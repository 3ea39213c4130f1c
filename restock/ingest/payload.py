"""Parsing and validating what sensors publish. Pure: no I/O, no clock.

A level message is a JSON object `{"ts", "value", "seq"?, "battery"?}` or a JSON array
of them (a gateway's offline backlog). Each element is judged on its own: the good ones
become readings, each bad one becomes a rejection with its reason — unless the array is
longer, or has more bad elements, than any real gateway sends: then the message (or all
its bad elements) is one rejection whose detail counts them, so one message can never
turn into thousands of rows.

Every rejection carries a key, a digest of what it holds (topic, payload, element), so a
message delivered twice (after a crash, a retained message on each resubscribe) is
kept once.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import NamedTuple

import orjson

from restock.ingest.errors import Reason

SENSOR_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
MAX_RAW_VALUE = 1e9
# PostgreSQL refuses a UTC offset of 16 hours or more ("time zone displacement out of range")
MAX_UTC_OFFSET = timedelta(hours=16)


@dataclass(frozen=True, slots=True, kw_only=True)
class SensorInfo:
    """What ingest needs to know about a registered sensor."""

    id: str
    enabled: bool
    installed_at: datetime
    tare: float
    scale: float
    capacity: float | None  # of the stock point it watches, in product units


class Reading(NamedTuple):
    """One accepted reading. A NamedTuple, not a dataclass: ingest builds hundreds of
    thousands a second, and a frozen dataclass costs several times more to create."""

    time: datetime
    sensor_id: str
    raw_value: float
    quantity: float
    seq: int | None
    battery: float | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Rejection:
    topic: str
    payload: bytes
    reason: Reason
    detail: str
    sensor_id: str | None
    key: bytes  # the same message (or element) refused again has the same key


@dataclass(frozen=True, slots=True, kw_only=True)
class StatusChange:
    sensor_id: str
    online: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Limits:
    max_payload_bytes: int
    max_future: timedelta
    absurd_factor: float
    max_elements: int  # longer arrays are one rejection
    max_bad_elements: int  # beyond this many, an array's bad elements are one rejection


@dataclass(frozen=True, slots=True, kw_only=True)
class Topic:
    sensor_id: str
    kind: str  # "level" or "status"


class _Invalid(Exception):
    def __init__(self, reason: Reason, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def message_key(topic: str, payload: bytes) -> bytes:
    """The key of a rejection holding a whole message."""
    return _digest(b"m", topic, payload)


def element_key(topic: str, payload: bytes, index: int) -> bytes:
    """The key of a rejection holding element `index` of the array message `payload`."""
    return _digest(b"e", topic, payload, index)


def _digest(kind: bytes, topic: str, payload: bytes, index: int = 0) -> bytes:
    # kind and index first, and topics never hold NUL: no two inputs share a digest input
    digest = hashlib.blake2b(kind + index.to_bytes(8, "big"), digest_size=16)
    digest.update(topic.encode("utf-8", "backslashreplace"))
    digest.update(b"\0")
    digest.update(payload)
    return digest.digest()


def message_rejection(
    topic: str, payload: bytes, reason: Reason, detail: str, sensor_id: str | None
) -> Rejection:
    """A rejection keeping a whole message."""
    return Rejection(
        topic=topic,
        payload=payload,
        reason=reason,
        detail=detail,
        sensor_id=sensor_id,
        key=message_key(topic, payload),
    )


def reading_payload(reading: Reading) -> bytes:
    """One judged reading as a level message, for a reading refused after judging (a
    conflicting value, one the database refused): replaying it means the same."""
    document: dict[str, object] = {"ts": reading.time.isoformat(), "value": reading.raw_value}
    if reading.seq is not None:
        document["seq"] = reading.seq
    if reading.battery is not None:
        document["battery"] = reading.battery
    return orjson.dumps(document)


def reading_rejection(topic: str, reading: Reading, reason: Reason, detail: str) -> Rejection:
    """A rejection for one reading that passed judging but was refused when written."""
    payload = reading_payload(reading)
    return Rejection(
        topic=topic,
        payload=payload,
        reason=reason,
        detail=detail,
        sensor_id=reading.sensor_id,
        key=_digest(b"r", topic, payload),
    )


@lru_cache(maxsize=65536)  # topics repeat per sensor; parsing each message again is waste
def parse_topic(topic: str, prefix: str) -> Topic | None:
    """`{prefix}/sensors/{sensor_id}/level|status` → Topic; anything else → None."""
    head = prefix + "/sensors/"
    if not topic.startswith(head):
        return None
    parts = topic[len(head) :].split("/")
    if len(parts) != 2 or parts[1] not in ("level", "status") or not SENSOR_ID.match(parts[0]):
        return None
    return Topic(sensor_id=parts[0], kind=parts[1])


def _reject_constant(name: str) -> float:
    raise _Invalid(Reason.NOT_FINITE, f"value {name} is not a finite number")


def decode_json(payload: bytes) -> object:
    """Parse JSON; NaN/Infinity (which strict JSON lacks) are told apart from garbage.

    Raises _Invalid with MALFORMED_JSON or NOT_FINITE.
    """
    try:
        return orjson.loads(payload)
    except orjson.JSONDecodeError:
        pass
    try:
        return json.loads(payload, parse_constant=_reject_constant)
    except _Invalid:
        raise
    except RecursionError:  # orjson stops at depth 1024; the fallback recurses until it dies
        raise _Invalid(Reason.MALFORMED_JSON, "not JSON: nested too deeply") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise _Invalid(Reason.MALFORMED_JSON, f"not JSON: {exc}") from None


def _timestamp(value: object) -> datetime:
    """The slow path of a timestamp: explains what is wrong, or returns it in UTC."""
    if not isinstance(value, str):
        raise _Invalid(
            Reason.WRONG_TYPE, f"ts must be an ISO 8601 string, got {type(value).__name__}"
        )
    if "\0" in value:  # Python's parser stops at a trailing NUL, or skips one as separator
        raise _Invalid(Reason.BAD_TIMESTAMP, f"ts {value[:40]!r} holds a NUL character")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise _Invalid(Reason.BAD_TIMESTAMP, f"ts {value[:40]!r} is not ISO 8601") from None
    return _in_utc(parsed, value)


def _in_utc(parsed: datetime, text: str) -> datetime:
    """`parsed` (from `text`) in UTC, if it has a time zone PostgreSQL accepts."""
    offset = parsed.utcoffset()
    if offset is None:
        raise _Invalid(Reason.BAD_TIMESTAMP, f"ts {text[:40]!r} has no time zone")
    if not -MAX_UTC_OFFSET < offset < MAX_UTC_OFFSET:
        raise _Invalid(Reason.BAD_TIMESTAMP, f"ts {text[:40]!r} has a UTC offset beyond ±15:59")
    try:
        return parsed.astimezone(UTC)
    except OverflowError:  # 0001-01-01 east of Greenwich, 9999-12-31 west of it
        raise _Invalid(Reason.BAD_TIMESTAMP, f"ts {text[:40]!r} is out of range in UTC") from None


def _number(element: dict[str, object], key: str) -> float | None:
    value = element.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Invalid(Reason.WRONG_TYPE, f"{key} must be a number, got {type(value).__name__}")
    try:
        number = float(value)
    except OverflowError:  # an integer of hundreds of digits
        raise _Invalid(Reason.ABSURD_VALUE, f"{key} is beyond any floating-point number") from None
    if not math.isfinite(number):
        raise _Invalid(Reason.NOT_FINITE, f"{key} is not a finite number")
    return number


def _reading(
    element: object, sensor: SensorInfo, not_after: datetime, max_quantity: float
) -> Reading:
    if type(element) is not dict:
        raise _Invalid(
            Reason.WRONG_TYPE, f"a reading must be an object, got {type(element).__name__}"
        )
    if "ts" not in element or "value" not in element:
        missing = "ts" if "ts" not in element else "value"
        raise _Invalid(Reason.MISSING_FIELD, f"missing field {missing!r}")
    text = element["ts"]
    # Inlined fast path for the common case, a clean UTC string; _timestamp() explains
    # what is wrong. Other offsets are converted to UTC, checked against PostgreSQL's range.
    if type(text) is str and "\0" not in text:
        try:
            ts = datetime.fromisoformat(text)
        except ValueError:
            ts = _timestamp(text)
        if ts.tzinfo is not UTC:
            ts = _in_utc(ts, text)
    else:
        ts = _timestamp(text)
    raw = element["value"]
    if type(raw) is not float or not math.isfinite(raw):  # the common case is a finite float
        raw = _number(element, "value")
        if raw is None:
            raise _Invalid(Reason.MISSING_FIELD, "value is null")
    seq = element.get("seq")
    if seq is not None and (type(seq) is not int or seq < 0):
        raise _Invalid(Reason.WRONG_TYPE, "seq must be a non-negative integer")
    if seq is not None and seq > 2**63 - 1:
        raise _Invalid(Reason.ABSURD_VALUE, "seq is larger than 2^63-1")
    battery = _number(element, "battery") if "battery" in element else None
    if battery is not None and not 0.0 <= battery <= 1.0:
        raise _Invalid(Reason.WRONG_TYPE, f"battery must be between 0 and 1, got {battery}")
    if raw < 0:
        raise _Invalid(Reason.NEGATIVE_VALUE, f"value {raw} is negative")
    quantity = (raw - sensor.tare) * sensor.scale
    if raw > MAX_RAW_VALUE or quantity > max_quantity:
        raise _Invalid(
            Reason.ABSURD_VALUE,
            f"value {raw} is {quantity:.6g} units, beyond what stock point capacity "
            f"{sensor.capacity} allows",
        )
    if ts > not_after:
        raise _Invalid(Reason.FUTURE_TIMESTAMP, f"ts {ts.isoformat()} is in the future")
    if ts < sensor.installed_at:
        raise _Invalid(
            Reason.BEFORE_INSTALLED,
            f"ts {ts.isoformat()} is before sensor {sensor.id} was installed",
        )
    return Reading(ts, sensor.id, raw, quantity, seq, battery)


def _element_bytes(element: object) -> bytes:
    try:
        return orjson.dumps(element)
    except TypeError:  # a lone surrogate in a string, which only the fallback parser admits
        return json.dumps(element).encode()


def parse_level(
    topic: str,
    sensor_id: str,
    payload: bytes,
    sensor: SensorInfo | None,
    received_at: datetime,
    limits: Limits,
) -> tuple[list[Reading], list[Rejection]]:
    """Judge one level message: (readings to write, rejections to keep)."""

    def reject(reason: Reason, detail: str) -> Rejection:
        return message_rejection(topic, payload, reason, detail, sensor_id)

    if len(payload) > limits.max_payload_bytes:
        return [], [reject(Reason.OVERSIZE, f"{len(payload)} bytes > {limits.max_payload_bytes}")]
    try:
        document = decode_json(payload)
    except _Invalid as exc:
        return [], [reject(exc.reason, exc.detail)]
    if sensor is None:
        return [], [reject(Reason.UNKNOWN_SENSOR, f"sensor {sensor_id} is not registered")]
    if not sensor.enabled:
        return [], [reject(Reason.DISABLED_SENSOR, f"sensor {sensor_id} is disabled")]
    not_after = received_at + limits.max_future
    max_quantity = math.inf if sensor.capacity is None else sensor.capacity * limits.absurd_factor
    if isinstance(document, dict):
        try:
            return [_reading(document, sensor, not_after, max_quantity)], []
        except _Invalid as exc:
            return [], [reject(exc.reason, exc.detail)]
    if not isinstance(document, list):
        return [], [
            reject(
                Reason.WRONG_TYPE, f"expected an object or an array, got {type(document).__name__}"
            )
        ]
    if not document:
        return [], [reject(Reason.WRONG_TYPE, "empty array")]
    if len(document) > limits.max_elements:
        return [], [
            reject(
                Reason.TOO_MANY_ELEMENTS,
                f"{len(document)} elements > {limits.max_elements} allowed in one message",
            )
        ]
    readings: list[Reading] = []
    bad: list[tuple[int, _Invalid]] = []
    for index, element in enumerate(document):
        try:
            readings.append(_reading(element, sensor, not_after, max_quantity))
        except _Invalid as exc:
            bad.append((index, exc))
    if len(bad) > limits.max_bad_elements:
        counts = Counter(exc.reason.value for _, exc in bad)
        by_reason = ", ".join(f"{reason} {n}" for reason, n in sorted(counts.items()))
        first, why = bad[0]
        detail = (
            f"{len(bad)} of {len(document)} elements refused ({by_reason}); the other "
            f"{len(readings)} were written; first: element {first}: {why.detail}"
        )
        return readings, [reject(Reason.TOO_MANY_BAD_ELEMENTS, detail)]
    return readings, [
        Rejection(
            topic=topic,
            payload=_element_bytes(document[index]),
            reason=exc.reason,
            detail=f"element {index}: {exc.detail}",
            sensor_id=sensor_id,
            key=element_key(topic, payload, index),
        )
        for index, exc in bad
    ]


def parse_status(topic: str, sensor_id: str, payload: bytes) -> StatusChange | Rejection:
    """`online`/`offline`, plain or as JSON `{"status": ...}` (what LWTs usually carry)."""
    text = payload[:256].decode("utf-8", errors="replace").strip().strip('"').lower()
    if text.startswith("{"):
        try:
            document = orjson.loads(payload)
        except orjson.JSONDecodeError:
            document = None
        status = document.get("status") if isinstance(document, dict) else None
        text = status.lower() if isinstance(status, str) else ""
    if text in ("online", "offline"):
        return StatusChange(sensor_id=sensor_id, online=text == "online")
    return message_rejection(
        topic, payload, Reason.BAD_STATUS, "status must be 'online' or 'offline'", sensor_id
    )
