"""Fuzzing ingest end to end through a real broker and database.

Each example publishes a list of cases — good readings, malformed messages of every
kind, oversized and mostly-bad arrays, resent messages, conflicting values, a reading
the database refuses — each case on its own sensor, then one good reading; once that
is written, every case must have come out exactly as specified: each good reading
stored once, each bad message (or element) kept in rejected_messages exactly once.

`pytest --slow` runs ten times the examples.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from restock.core.clock import SystemClock
from restock.core.local_broker import LocalBroker
from restock.ingest.service import Ingester
from tests.support.ingest import ingest_settings
from tests.support.world import Conn, count, publish_all, publisher, wait_for

EXAMPLES, SLOW_EXAMPLES = 40, 400
MAX_ELEMENTS, MAX_BAD = 40, 4  # small, so that fuzzed arrays cross both limits
REFUSED = 666.0  # the database refuses this value (a CHECK constraint the test adds)
BASE = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(days=10)
HUGE = 10**400  # json.dumps writes every digit


@dataclass(frozen=True, slots=True, kw_only=True)
class Case:
    """Messages for one sensor, and what must come of them."""

    payloads: tuple[bytes, ...]
    stored: dict[datetime, float] = field(default_factory=dict)  # readings, by instant
    rows: int = 0  # rows in rejected_messages
    registered: bool = True
    kind: str = "level"  # or "status", or "bad_topic"


def dumps(document: object) -> bytes:
    return json.dumps(document).encode()


def at(minute: int) -> datetime:
    return BASE + timedelta(minutes=minute)


# -- strategies ------------------------------------------------------------------------

offsets = st.integers(min_value=-(16 * 60 - 1), max_value=16 * 60 - 1).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
values = st.floats(min_value=0, max_value=1e6, allow_nan=False).filter(lambda v: v != REFUSED)


@st.composite
def good_element(draw: st.DrawFn, minute: int, value: float | None = None) -> dict[str, object]:
    element: dict[str, object] = {
        "ts": at(minute).astimezone(draw(offsets)).isoformat(),
        "value": draw(values) if value is None else value,
    }
    if draw(st.booleans()):
        element["seq"] = draw(st.integers(min_value=0, max_value=2**63 - 1))
    if draw(st.booleans()):
        element["battery"] = draw(st.floats(min_value=0, max_value=1))
    return element


def bad_element(minute: int) -> st.SearchStrategy[object]:
    """An element certainly refused on its own, whatever else is in its array."""
    ts = at(minute).isoformat()
    return st.sampled_from(
        [
            {"ts": ts},
            {"value": 1.0},
            {"ts": ts, "value": -1.5},
            {"ts": ts, "value": 1e12},
            {"ts": ts, "value": HUGE},
            {"ts": ts, "value": 1.0, "battery": HUGE},
            {"ts": ts, "value": 1.0, "battery": 7},
            {"ts": ts, "value": "12"},
            {"ts": ts, "value": 1.0, "seq": -3},
            {"ts": "2026-02-10T00:00:00+16:00", "value": 1.0},
            {"ts": "2026-02-10T00:00:00-16:30", "value": 1.0},
            {"ts": ts + "\x00", "value": 1.0},
            {"ts": ts[:10] + "\x00" + ts[11:], "value": 1.0},
            {"ts": "9999-12-31T23:59:59-01:00", "value": 1.0},
            {"ts": (datetime.now(UTC) + timedelta(days=2)).isoformat(), "value": 1.0},
            {"ts": "noon", "value": 1.0},
            {"ts": 1_700_000_000, "value": 1.0},
            1,
            "x",
            None,
            [],
        ]
    )


def good_single() -> st.SearchStrategy[Case]:
    return st.builds(
        lambda element: Case(
            payloads=(dumps(element),),
            stored={at(0): float(element["value"])},  # type: ignore[arg-type]
        ),
        good_element(0),
    )


@st.composite
def mixed_array(draw: st.DrawFn) -> Case:
    minutes = draw(st.lists(st.integers(0, 10_000), min_size=1, max_size=50, unique=True))
    n_bad = draw(st.integers(0, len(minutes) - 1 if len(minutes) > 1 else 0))
    refused = draw(st.booleans()) and n_bad < len(minutes)
    elements: list[object] = []
    stored: dict[datetime, float] = {}
    for i, minute in enumerate(minutes):
        if i < n_bad:
            elements.append(draw(bad_element(minute)))
        elif refused and i == n_bad:
            elements.append(draw(good_element(minute, REFUSED)))
        else:
            element = draw(good_element(minute))
            elements.append(element)
            stored[at(minute)] = float(element["value"])  # type: ignore[arg-type]
    elements = draw(st.permutations(elements))
    if len(elements) > MAX_ELEMENTS:
        return Case(payloads=(dumps(elements),), rows=1)
    rows = (1 if n_bad > MAX_BAD else n_bad) + (1 if refused else 0)
    return Case(payloads=(dumps(elements),), stored=stored, rows=rows)


def bad_whole() -> st.SearchStrategy[Case]:
    ts = at(0).isoformat()
    payloads = st.one_of(
        st.binary(max_size=200).map(lambda b: b"\xff" + b),
        st.integers(1025, 5000).map(lambda n: b"[" * n + b"]" * n),
        st.sampled_from(
            [
                b"",
                b"[]",
                b"{}",
                b'"online"',
                b"42",
                b"null",
                f'{{"ts": "{ts}", "value": NaN}}'.encode(),
                f'{{"ts": "{ts}", "value": Infinity}}'.encode(),
                f'[{{"ts": "{ts}", "value": 1}}, {{"ts": "{ts}", "value": -Infinity}}]'.encode(),
            ]
        ),
        bad_element(0).map(lambda element: dumps(element) if element != [] else b"[[]]"),
    )
    return payloads.map(lambda payload: Case(payloads=(payload,), rows=1))


def unknown_sensor() -> st.SearchStrategy[Case]:
    return good_element(0).map(lambda e: Case(payloads=(dumps(e),), rows=1, registered=False))


def refused_single() -> st.SearchStrategy[Case]:
    return good_element(0, REFUSED).map(lambda e: Case(payloads=(dumps(e),), rows=1))


@st.composite
def conflict(draw: st.DrawFn) -> Case:
    """Two or more values for one instant, in separate messages or in one array: the
    first stays, each different later value is kept once as conflicting_value."""
    given = draw(st.lists(values, min_size=2, max_size=4))
    elements = [{"ts": at(0).astimezone(draw(offsets)).isoformat(), "value": v} for v in given]
    stored = {at(0): given[0]}
    rows = len({v for v in given[1:] if v != given[0]})
    if draw(st.booleans()):
        return Case(payloads=(dumps(elements),), stored=stored, rows=rows)
    return Case(payloads=tuple(dumps(e) for e in elements), stored=stored, rows=rows)


def resent(inner: st.SearchStrategy[Case]) -> st.SearchStrategy[Case]:
    """The same messages again (a device resending, a redelivery): nothing more kept."""
    return inner.map(lambda case: Case(**{**_fields(case), "payloads": case.payloads * 2}))


def status() -> st.SearchStrategy[Case]:
    return st.sampled_from(
        [
            Case(payloads=(b"online",), kind="status"),
            Case(payloads=(b'{"status": "offline"}',), kind="status"),
            Case(payloads=(b"sleepy",), rows=1, kind="status"),
            Case(payloads=(b"online",), rows=1, kind="status", registered=False),
            Case(payloads=(b"{}",), rows=1, kind="bad_topic"),
        ]
    )


def _fields(case: Case) -> dict[str, object]:
    return {name: getattr(case, name) for name in Case.__dataclass_fields__}


cases = st.one_of(
    good_single(),
    mixed_array(),
    bad_whole(),
    unknown_sensor(),
    refused_single(),
    conflict(),
    resent(bad_whole() | mixed_array() | conflict()),
    status(),
)

# every fault of issue 12, items 1-5, as an explicit case
DEEP = Case(payloads=(b"[" * 100_000 + b"]" * 100_000,), rows=1)
HUGE_VALUE = Case(payloads=(dumps({"ts": at(0).isoformat(), "value": HUGE}),), rows=1)
HUGE_BATTERY = Case(
    payloads=(dumps({"ts": at(0).isoformat(), "value": 1, "battery": HUGE}),), rows=1
)
OFFSET_16 = Case(payloads=(b'{"ts":"2026-02-10T00:00:00+16:00","value":1}',), rows=1)
NUL_TS = Case(payloads=(dumps({"ts": at(0).isoformat() + "\x00", "value": 1}),), rows=1)
NUMBERS = Case(payloads=(b"[" + b",".join([b"1"] * 100_000) + b"]",), rows=1)
EMPTIES = Case(payloads=(b"[" + b",".join([b"{}"] * 87_000) + b"]",), rows=1)
GOOD = Case(payloads=(dumps({"ts": at(1).isoformat(), "value": 5.0}),), stored={at(1): 5.0})
RESENT_BAD = Case(payloads=(b"{oops",) * 3, rows=1)
CONFLICT = Case(
    payloads=(dumps({"ts": at(0).isoformat(), "value": 1.0}),) * 2
    + (dumps({"ts": at(0).isoformat(), "value": 2.0}),),
    stored={at(0): 1.0},
    rows=1,
)
CONFLICT_IN_ARRAY = Case(
    payloads=(dumps([{"ts": at(0).isoformat(), "value": v} for v in (3.0, 4.0, 3.0, 5.0)]),),
    stored={at(0): 3.0},
    rows=2,
)
REFUSED_IN_ARRAY = Case(
    payloads=(dumps([{"ts": at(m).isoformat(), "value": 10.0 + m} for m in range(5)]
                    + [{"ts": at(9).isoformat(), "value": REFUSED}]),),
    stored={at(m): 10.0 + m for m in range(5)},
    rows=1,
)  # fmt: skip


# -- the run ---------------------------------------------------------------------------


@pytest.fixture
def fuzz_ingester(database_url: str, broker: LocalBroker, db: Conn) -> Iterator[Ingester]:
    db.execute(
        "INSERT INTO sensors (id, kind, unit) SELECT 'fz-' || lpad(g::text, 6, '0'),"
        " 'shelf_count', 'count' FROM generate_series(0, 20000) g"
    )
    db.execute("ALTER TABLE readings ADD CONSTRAINT refuse_666 CHECK (raw_value <> 666)")
    settings_ = ingest_settings(
        database_url,
        broker,
        ingest_max_array_elements=MAX_ELEMENTS,
        ingest_max_bad_elements=MAX_BAD,
        ingest_batch_interval_s=0.02,
    )
    running = Ingester(settings_, SystemClock(), serve_metrics=False)
    running.start()
    assert running.subscriber.connected.wait(10)
    yield running
    running.stop()


def test_every_message_is_written_or_kept_exactly_once(
    db: Conn, broker: LocalBroker, fuzz_ingester: Ingester, slow: bool
) -> None:
    sensors = (f"fz-{n:06d}" for n in itertools.count(1))
    ghosts = (f"ghost-{n:06d}" for n in itertools.count(1))
    sentinel = itertools.count()
    pub = publisher(broker.port)

    @settings(
        max_examples=SLOW_EXAMPLES if slow else EXAMPLES,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(st.lists(cases, min_size=1, max_size=6))
    @example([DEEP, GOOD, HUGE_VALUE, GOOD, HUGE_BATTERY, GOOD])
    @example([OFFSET_16, NUL_TS, GOOD, REFUSED_IN_ARRAY])
    @example([NUMBERS, EMPTIES, GOOD])
    @example([RESENT_BAD, CONFLICT, CONFLICT_IN_ARRAY, GOOD])
    def run(batch: list[Case]) -> None:
        topics = []
        messages: list[tuple[str, bytes | object]] = []
        for case in batch:
            sensor = next(sensors) if case.registered else next(ghosts)
            topic = {
                "level": f"restock/v1/sensors/{sensor}/level",
                "status": f"restock/v1/sensors/{sensor}/status",
                "bad_topic": f"restock/v1/sensors/{sensor} bad/level",
            }[case.kind]
            topics.append((sensor, topic))
            messages += [(topic, payload) for payload in case.payloads]
        n = next(sentinel)
        last = {"ts": at(n).isoformat(), "value": float(n)}  # good, after every bad one
        publish_all(pub, [*messages, ("restock/v1/sensors/fz-000000/level", last)])
        wait_for(
            lambda: (
                count(db, "SELECT count(*) FROM readings WHERE sensor_id = 'fz-000000'") == n + 1
            ),
            what="the good reading sent last",
        )
        for case, (sensor, topic) in zip(batch, topics, strict=True):
            rows = db.execute(
                "SELECT time, raw_value FROM readings WHERE sensor_id = %s", (sensor,)
            ).fetchall()
            assert dict(rows) == case.stored, (case, sensor)  # type: ignore[arg-type]
            kept = count(db, "SELECT count(*) FROM rejected_messages WHERE topic = %s", topic)
            assert kept == case.rows, (case, sensor)

    try:
        run()
    finally:
        pub.disconnect()
        pub.loop_stop()
    assert fuzz_ingester.failure() is None
