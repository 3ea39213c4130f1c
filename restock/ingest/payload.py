"""Parsing and validating what sensors publish. Pure: no I/O, no clock.

A level message is a JSON object `{"ts", "value", "seq"?, "battery"?}` or a JSON array
of them (a gateway's offline backlog). Each element is judged on its own: the good ones
become readings, each bad one becomes a rejection with its reason.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import NamedTuple

import orjson

from restock.ingest.errors import Reason

SENSOR_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
MAX_RAW_VALUE = 1e9
MAX_BATCH_ELEMENTS = 100_000


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


@dataclass(frozen=True, slots=True, kw_only=True)
class StatusChange:
    sensor_id: str
    online: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Limits:
    max_payload_bytes: int
    max_future: timedelta
    absurd_factor: float


@dataclass(frozen=True, slots=True, kw_only=True)
class Topic:
    sensor_id: str
    kind: str  # "level" or "status"


class _Invalid(Exception):
    def __init__(self, reason: Reason, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


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
    except (ValueError, UnicodeDecodeError) as exc:
        raise _Invalid(Reason.MALFORMED_JSON, f"not JSON: {exc}") from None


def _timestamp(value: object) -> datetime:
    if not isinstance(value, str):
        raise _Invalid(
            Reason.WRONG_TYPE, f"ts must be an ISO 8601 string, got {type(value).__name__}"
        )
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise _Invalid(Reason.BAD_TIMESTAMP, f"ts {value[:40]!r} is not ISO 8601") from None
    if parsed.tzinfo is None:
        raise _Invalid(Reason.BAD_TIMESTAMP, f"ts {value[:40]!r} has no time zone")
    return parsed


def _number(element: dict[str, object], key: str) -> float | None:
    value = element.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Invalid(Reason.WRONG_TYPE, f"{key} must be a number, got {type(value).__name__}")
    number = float(value)
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
    if type(text) is str:  # inlined fast path; _timestamp() explains what is wrong
        try:
            ts = datetime.fromisoformat(text)
        except ValueError:
            ts = _timestamp(text)
        if ts.tzinfo is None:
            ts = _timestamp(text)
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


def parse_level(
    topic: str,
    sensor_id: str,
    payload: bytes,
    sensor: SensorInfo | None,
    received_at: datetime,
    limits: Limits,
) -> tuple[list[Reading], list[Rejection]]:
    """Judge one level message: (readings to write, rejections to keep)."""

    def reject(reason: Reason, detail: str, raw: bytes = payload) -> Rejection:
        return Rejection(
            topic=topic, payload=raw, reason=reason, detail=detail, sensor_id=sensor_id
        )

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
    if len(document) > MAX_BATCH_ELEMENTS:
        return [], [reject(Reason.OVERSIZE, f"{len(document)} readings > {MAX_BATCH_ELEMENTS}")]
    readings: list[Reading] = []
    rejections: list[Rejection] = []
    for index, element in enumerate(document):
        try:
            readings.append(_reading(element, sensor, not_after, max_quantity))
        except _Invalid as exc:
            rejections.append(
                reject(exc.reason, f"element {index}: {exc.detail}", orjson.dumps(element))
            )
    return readings, rejections


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
    return Rejection(
        topic=topic,
        payload=payload,
        reason=Reason.BAD_STATUS,
        detail="status must be 'online' or 'offline'",
        sensor_id=sensor_id,
    )
