"""The payload parser: every bad input gets a named reason, never an exception."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

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
LIMITS_BIG = replace(LIMITS, max_payload_bytes=300_000)
SENSOR = SensorInfo(
    id="s1",
    enabled=True,
    installed_at=datetime(2026, 1, 1, tzinfo=UTC),
    tare=100.0,
    scale=0.5,
    capacity=50.0,
)
TOPIC = "restock/v1/sensors/s1/level"


def judge(payload: bytes, sensor: SensorInfo | None = SENSOR, limits: Limits = LIMITS):  # type: ignore[no-untyped-def]
    return parse_level(TOPIC, "s1", payload, sensor, NOW, limits)


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
fixed_offsets = st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
timestamps = (
    st.datetimes(
        min_value=datetime(2025, 12, 1), max_value=datetime(2026, 11, 23), timezones=fixed_offsets
    ).map(lambda d: d.isoformat())
    | st.datetimes(timezones=fixed_offsets).map(lambda d: d.isoformat())
    | st.tuples(st.text(alphabet="\x00\n x", min_size=1, max_size=1), st.integers(0, 25)).map(
        lambda c: (lambda t: t[: c[1]] + c[0] + t[c[1] + 1 :])("2026-11-22T09:00:00+09:00")
    )
    | st.text(max_size=30)
)
reading_like = st.fixed_dictionaries(
    {
        "ts": timestamps,
        "value": st.floats(allow_nan=True, allow_infinity=True)
        | st.integers()
        | st.integers(min_value=10**300, max_value=10**400)
        | st.text(max_size=5),
    },
    optional={
        "seq": st.integers(min_value=-5, max_value=2**70),
        "battery": st.floats() | st.integers(min_value=10**300, max_value=10**400),
    },
)


@settings(max_examples=400, deadline=None)
@given(
    st.binary(max_size=300)
    | json_values.map(json.dumps).map(str.encode)
    | reading_like.map(json.dumps).map(str.encode)
    | st.lists(reading_like, max_size=15).map(json.dumps).map(str.encode)
    | st.integers(min_value=1, max_value=3000).map(lambda n: b"[" * n + b"]" * n)
)
def test_parser_never_raises_and_accounts_for_every_element(payload: bytes) -> None:
    readings, rejections = judge(payload)
    try:  # NaN/Infinity make the whole message one rejection, like garbage does
        document = json.loads(payload, parse_constant=lambda name: 1 / 0)
    except (ValueError, ZeroDivisionError, RecursionError):
        document = None
    elements = len(document) if isinstance(document, list) and document else 1
    if len(rejections) == 1 and rejections[0].reason is Reason.TOO_MANY_BAD_ELEMENTS:
        assert elements - len(readings) > LIMITS.max_bad_elements
    elif len(rejections) == 1 and rejections[0].payload == payload:  # refused whole
        assert readings == []
    else:
        assert len(readings) + len(rejections) == elements
    for r in readings:
        assert math.isfinite(r.quantity) and r.raw_value >= 0
        assert SENSOR.installed_at <= r.time <= NOW + LIMITS.max_future
        assert r.time.tzinfo is UTC
        assert r.quantity <= SENSOR.capacity * LIMITS.absurd_factor  # type: ignore[operator]
    for rejection in rejections:
        assert rejection.detail and len(rejection.key) == 16


def test_what_broke_the_parser_is_a_named_rejection() -> None:
    huge = "1" + "0" * 399
    cases = {
        b"[" * 100_000 + b"]" * 100_000: Reason.MALFORMED_JSON,
        f'{{"ts": "2026-11-22T09:00:00Z", "value": {huge}}}'.encode(): Reason.ABSURD_VALUE,
        f'{{"ts": "2026-11-22T09:00:00Z", "value": 120, "battery": {huge}}}'.encode(): (
            Reason.ABSURD_VALUE
        ),
        b'[{"ts": "\\ud800", "value": 120}]': Reason.BAD_TIMESTAMP,
    }
    for payload, reason in cases.items():
        readings, rejections = parse_level(TOPIC, "s1", payload, SENSOR, NOW, LIMITS_BIG)
        assert readings == []
        assert [r.reason for r in rejections] == [reason]


@pytest.mark.parametrize(
    "ts",
    [
        "2026-11-22T09:00:00+16:00",
        "2026-11-22T09:00:00-16:00",
        "2026-11-22T09:00:00+23:59",
        "2026-11-22T09:00:00Z\x00",
        "2026-11-22\x0009:00:00Z",
        "2026-11-22T09:00:00\x00Z",
        "9999-12-31T23:59:59-01:00",
        "0001-01-01T00:00:00+01:00",
    ],
)
def test_timestamps_postgresql_would_refuse_are_bad_timestamps(ts: str) -> None:
    readings, rejections = judge(orjson.dumps({"ts": ts, "value": 120}))
    assert readings == []
    assert [r.reason for r in rejections] == [Reason.BAD_TIMESTAMP]


def test_the_widest_offsets_postgresql_takes_are_read_in_utc() -> None:
    east = judge(b'{"ts": "2026-11-22T20:59:00+15:59", "value": 120}')[0]
    west = judge(b'{"ts": "2026-11-21T13:01:00-15:59", "value": 120}')[0]
    assert [r.time for r in east + west] == [datetime(2026, 11, 22, 5, 0, tzinfo=UTC)] * 2
    assert all(r.time.tzinfo is UTC for r in east + west)


def test_an_array_longer_than_the_limit_is_one_rejection() -> None:
    payload = b"[" + b",".join([b"1"] * 1001) + b"]"
    readings, rejections = judge(payload, limits=LIMITS_BIG)
    assert readings == []
    assert [(r.reason, r.payload) for r in rejections] == [(Reason.TOO_MANY_ELEMENTS, payload)]
    assert "1001 elements > 1000" in rejections[0].detail


def test_many_bad_elements_are_one_rejection_with_counts_and_the_good_ones_are_read() -> None:
    good = [{"ts": f"2026-11-22T0{h}:00:00Z", "value": 120} for h in range(3)]
    bad: list[object] = [{"ts": "2026-11-22T09:00:00Z"}] * 8 + [1, 2, {"value": 1}]
    payload = orjson.dumps([bad[0], *good, *bad[1:]])
    readings, rejections = judge(payload)
    assert len(readings) == 3
    assert [(r.reason, r.payload) for r in rejections] == [(Reason.TOO_MANY_BAD_ELEMENTS, payload)]
    assert rejections[0].detail.startswith(
        "11 of 14 elements refused (missing_field 9, wrong_type 2); the other 3 were written;"
        " first: element 0: missing field 'value'"
    )
    at_limit = orjson.dumps([*good, *bad[:10]])
    assert len(judge(at_limit)[1]) == 10  # up to the limit, each bad element is its own row


def test_rejection_keys_name_the_message_and_the_element() -> None:
    array = orjson.dumps([{"value": 1}, {"ts": "2026-11-22T09:00:00Z"}])
    first, second = judge(array)[1]
    again = judge(array)[1]
    assert [r.key for r in again] == [first.key, second.key]
    assert first.key != second.key
    other_topic = parse_level(TOPIC.replace("s1", "s2"), "s2", array, SENSOR, NOW, LIMITS)[1]
    assert {r.key for r in other_topic}.isdisjoint({first.key, second.key})
    whole = judge(b"{oops")[1][0]
    assert whole.key == judge(b"{oops")[1][0].key != judge(b"{oops!")[1][0].key
