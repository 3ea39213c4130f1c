"""The payload parser: every bad input gets a named reason, never an exception."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from restock.ingest.errors import Reason
from restock.ingest.payload import Limits, SensorInfo, parse_level, parse_status, parse_topic

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
LIMITS = Limits(
    max_payload_bytes=4096,
    max_future=timedelta(minutes=5),
    absurd_factor=3.0,
    max_elements=1000,
    max_bad_elements=10,
)
SENSOR = SensorInfo(
    id="s1",
    enabled=True,
    installed_at=datetime(2026, 1, 1, tzinfo=UTC),
    tare=100.0,
    scale=0.5,
    capacity=50.0,
)
TOPIC = "restock/v1/sensors/s1/level"


def judge(payload: bytes, sensor: SensorInfo | None = SENSOR):  # type: ignore[no-untyped-def]
    return parse_level(TOPIC, "s1", payload, sensor, NOW, LIMITS)


def test_valid_reading_is_calibrated() -> None:
    readings, rejections = judge(b'{"ts": "2026-11-22T09:00:00Z", "value": 140, "seq": 3}')
    assert rejections == []
    assert readings[0].quantity == 20.0
    assert readings[0].time == datetime(2026, 11, 22, 9, tzinfo=UTC)
    assert readings[0].seq == 3


def test_array_keeps_good_elements_and_rejects_bad_ones_individually() -> None:
    payload = orjson.dumps(
        [
            {"ts": "2026-11-22T09:00:00Z", "value": 110},
            {"ts": "2026-11-22T10:00:00Z"},
            {"ts": "2026-11-22T11:00:00+09:00", "value": 120},
        ]
    )
    readings, rejections = judge(payload)
    assert [r.quantity for r in readings] == [5.0, 10.0]
    assert [(r.reason, r.detail.split(":")[0]) for r in rejections] == [
        (Reason.MISSING_FIELD, "element 1")
    ]
    assert orjson.loads(rejections[0].payload) == {"ts": "2026-11-22T10:00:00Z"}


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"{not json", Reason.MALFORMED_JSON),
        (b"\xff\xfe", Reason.MALFORMED_JSON),
        (b'"just a string"', Reason.WRONG_TYPE),
        (b"[]", Reason.WRONG_TYPE),
        (b"[1]", Reason.WRONG_TYPE),
        (b'{"ts": "2026-11-22T09:00:00Z", "value": "12"}', Reason.WRONG_TYPE),
        (b'{"ts": "2026-11-22T09:00:00Z", "value": true}', Reason.WRONG_TYPE),
        (b'{"ts": 1700000000, "value": 120}', Reason.WRONG_TYPE),
        (b'{"ts": "2026-11-22T09:00:00Z", "value": 120, "seq": -1}', Reason.WRONG_TYPE),
        (b'{"ts": "2026-11-22T09:00:00Z", "value": 120, "battery": 7}', Reason.WRONG_TYPE),
        (b'{"value": 120}', Reason.MISSING_FIELD),
        (b'{"ts": "2026-11-22T09:00:00Z"}', Reason.MISSING_FIELD),
        (b'{"ts": "2026-11-22T09:00:00Z", "value": null}', Reason.MISSING_FIELD),
        (b'{"ts": "yesterday", "value": 120}', Reason.BAD_TIMESTAMP),
        (b'{"ts": "2026-11-22T09:00:00", "value": 120}', Reason.BAD_TIMESTAMP),
        (b'{"ts": "2026-11-22T09:00:00Z", "value": NaN}', Reason.NOT_FINITE),
        (b'{"ts": "2026-11-22T09:00:00Z", "value": Infinity}', Reason.NOT_FINITE),
        (b'{"ts": "2026-11-22T09:00:00Z", "value": 1e400}', Reason.NOT_FINITE),
        (b'{"ts": "2026-11-22T09:00:00Z", "value": -3}', Reason.NEGATIVE_VALUE),
        (b'{"ts": "2026-11-22T09:00:00Z", "value": 100000}', Reason.ABSURD_VALUE),
        (b'{"ts": "2026-11-23T09:00:00Z", "value": 120}', Reason.FUTURE_TIMESTAMP),
        (b'{"ts": "2025-06-01T09:00:00Z", "value": 120}', Reason.BEFORE_INSTALLED),
        (b"x" * 5000, Reason.OVERSIZE),
    ],
)
def test_bad_payloads_are_rejected_with_their_reason(payload: bytes, reason: Reason) -> None:
    readings, rejections = judge(payload)
    assert readings == []
    assert [r.reason for r in rejections] == [reason]
    assert rejections[0].detail
    assert rejections[0].sensor_id == "s1"


def test_unknown_and_disabled_sensors_are_rejected() -> None:
    good = b'{"ts": "2026-11-22T09:00:00Z", "value": 120}'
    assert judge(good, None)[1][0].reason is Reason.UNKNOWN_SENSOR
    disabled = SensorInfo(id="s1", enabled=False, installed_at=NOW, tare=0, scale=1, capacity=None)
    assert judge(good, disabled)[1][0].reason is Reason.DISABLED_SENSOR


@pytest.mark.parametrize(
    "topic",
    [
        "restock/v1/sensors/s1",
        "restock/v1/sensors/s1/level/extra",
        "restock/v1/sensors//level",
        "restock/v2/sensors/s1/level",
        "restock/v1/sensors/bad id/level",
        "restock/v1/sensors/s1/temperature",
    ],
)
def test_topics_of_the_wrong_shape_are_not_parsed(topic: str) -> None:
    assert parse_topic(topic, "restock/v1") is None


def test_status_payloads() -> None:
    assert parse_status("t", "s1", b"offline").online is False  # type: ignore[union-attr]
    assert parse_status("t", "s1", b'{"status":"ONLINE"}').online is True  # type: ignore[union-attr]
    assert parse_status("t", "s1", b"maybe").reason is Reason.BAD_STATUS  # type: ignore[union-attr]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(["ts", "value", "seq", "battery", "x"]), children, max_size=5
        )
    ),
    max_leaves=20,
)
reading_like = st.fixed_dictionaries(
    {
        "ts": st.datetimes(
            min_value=datetime(1990, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)
        ).map(lambda d: d.isoformat())
        | st.text(max_size=30),
        "value": st.floats(allow_nan=True, allow_infinity=True)
        | st.integers()
        | st.text(max_size=5),
    },
    optional={"seq": st.integers(min_value=-5, max_value=2**70), "battery": st.floats()},
)


@settings(max_examples=400, deadline=None)
@given(
    st.binary(max_size=300)
    | json_values.map(json.dumps).map(str.encode)
    | reading_like.map(json.dumps).map(str.encode)
)
def test_parser_never_raises_and_accounts_for_every_element(payload: bytes) -> None:
    readings, rejections = judge(payload)
    try:  # NaN/Infinity make the whole message one rejection, like garbage does
        document = json.loads(payload, parse_constant=lambda name: 1 / 0)
    except (ValueError, ZeroDivisionError):
        document = None
    elements = len(document) if isinstance(document, list) and document else 1
    assert len(readings) + len(rejections) == elements
    for r in readings:
        assert math.isfinite(r.quantity) and r.raw_value >= 0
        assert SENSOR.installed_at <= r.time <= NOW + LIMITS.max_future
        assert r.quantity <= SENSOR.capacity * LIMITS.absurd_factor  # type: ignore[operator]
