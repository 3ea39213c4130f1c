"""Every bad message is kept with its reason, the ingester carries on, and kept
messages can be replayed once their cause is fixed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from restock.core.clock import ManualClock
from restock.core.local_broker import LocalBroker
from restock.ingest.errors import Reason
from restock.ingest.replay import replay
from restock.ingest.service import Ingester, limits_from
from tests.support.ingest import ingest_settings
from tests.support.world import Conn, add_sensor, count, publish_all, publisher, wait_for

NOW = datetime.now(UTC).replace(microsecond=0)
OK_TS = (NOW - timedelta(hours=1)).isoformat()
LEVEL = "restock/v1/sensors/{}/level"

BAD_MESSAGES: list[tuple[str, bytes, Reason]] = [
    (LEVEL.format("good"), b"{oops", Reason.MALFORMED_JSON),
    (LEVEL.format("good"), b'{"ts": "%s", "value": "12"}' % OK_TS.encode(), Reason.WRONG_TYPE),
    (LEVEL.format("good"), b'{"value": 12}', Reason.MISSING_FIELD),
    (LEVEL.format("good"), b'{"ts": "%s", "value": NaN}' % OK_TS.encode(), Reason.NOT_FINITE),
    (LEVEL.format("good"), b'{"ts": "%s", "value": -1}' % OK_TS.encode(), Reason.NEGATIVE_VALUE),
    (LEVEL.format("good"), b'{"ts": "%s", "value": 1e7}' % OK_TS.encode(), Reason.ABSURD_VALUE),
    (
        LEVEL.format("good"),
        b'{"ts": "%s", "value": 5}' % (NOW + timedelta(days=2)).isoformat().encode(),
        Reason.FUTURE_TIMESTAMP,
    ),
    (
        LEVEL.format("good"),
        b'{"ts": "2020-01-01T00:00:00Z", "value": 5}',
        Reason.BEFORE_INSTALLED,
    ),
    (LEVEL.format("ghost"), b'{"ts": "%s", "value": 5}' % OK_TS.encode(), Reason.UNKNOWN_SENSOR),
    (LEVEL.format("off"), b'{"ts": "%s", "value": 5}' % OK_TS.encode(), Reason.DISABLED_SENSOR),
    (LEVEL.format("good"), b" " * 300_000, Reason.OVERSIZE),
    ("restock/v1/sensors/no spaces allowed/level", b"{}", Reason.BAD_TOPIC),
    ("restock/v1/sensors/good/status", b"sleepy", Reason.BAD_STATUS),
]


def test_each_bad_input_is_kept_with_its_reason(
    db: Conn, broker: LocalBroker, ingester: Ingester
) -> None:
    add_sensor(db, "good", installed_at=NOW - timedelta(days=30))
    add_sensor(db, "off", enabled=False)
    pub = publisher(broker.port)
    publish_all(pub, [(topic, payload) for topic, payload, _ in BAD_MESSAGES])
    publish_all(pub, [(LEVEL.format("good"), {"ts": OK_TS, "value": 42})])
    wait_for(
        lambda: (
            count(db, "SELECT count(*) FROM rejected_messages") == len(BAD_MESSAGES)
            and count(db, "SELECT count(*) FROM readings") == 1
        ),
        what="every bad message kept and the good one written",
    )
    kept = db.execute("SELECT topic, payload, reason, detail FROM rejected_messages").fetchall()
    assert sorted((t, bytes(p), r) for t, p, r, _ in kept) == sorted(  # type: ignore[arg-type]
        (t, p, r.value) for t, p, r in BAD_MESSAGES
    )
    assert all(detail for *_, detail in kept)
    # still healthy: the stream goes on
    publish_all(pub, [(LEVEL.format("good"), {"ts": NOW.isoformat(), "value": 43})])
    wait_for(lambda: count(db, "SELECT count(*) FROM readings") == 2, what="ingest after garbage")
    assert ingester.metrics.callback_errors._value.get() == 0
    assert ingester.metrics.rejected.labels(Reason.UNKNOWN_SENSOR.value)._value.get() == 1
    pub.disconnect()


def test_replay_writes_readings_that_arrived_before_their_sensor(
    db: Conn, broker: LocalBroker, ingester: Ingester, database_url: str
) -> None:
    pub = publisher(broker.port)
    early = [{"ts": (NOW - timedelta(hours=h)).isoformat(), "value": 10 + h} for h in range(5)]
    publish_all(pub, [(LEVEL.format("late-reg"), early), (LEVEL.format("late-reg"), b"{bad")])
    wait_for(lambda: count(db, "SELECT count(*) FROM rejected_messages") == 2, what="kept messages")
    settings = ingest_settings(database_url, broker)
    clock = ManualClock(NOW)
    nothing = replay(db, clock=clock, prefix="restock/v1", limits=limits_from(settings))
    assert (nothing.accepted, nothing.still_rejected) == (0, 2)

    add_sensor(db, "late-reg", scale=2.0)
    result = replay(
        db, clock=clock, prefix="restock/v1", limits=limits_from(settings), sensor_id="late-reg"
    )
    assert (result.accepted, result.readings_inserted, result.still_rejected) == (1, 5, 1)
    quantities = [r[0] for r in db.execute("SELECT quantity FROM readings ORDER BY time")]
    assert quantities == [28.0, 26.0, 24.0, 22.0, 20.0]
    # replaying again changes nothing: the accepted message is marked replayed
    again = replay(db, clock=clock, prefix="restock/v1", limits=limits_from(settings))
    assert (again.examined, again.accepted) == (1, 0)
    pub.disconnect()


def test_replay_leaves_a_conflicting_value_pending_until_the_stored_one_is_gone(
    db: Conn, broker: LocalBroker, ingester: Ingester, database_url: str
) -> None:
    add_sensor(db, "twice")
    pub = publisher(broker.port)
    publish_all(pub, [(LEVEL.format("twice"), {"ts": OK_TS, "value": 5})])
    wait_for(lambda: count(db, "SELECT count(*) FROM readings") == 1, what="the first value")
    publish_all(pub, [(LEVEL.format("twice"), {"ts": OK_TS, "value": 7})])
    wait_for(lambda: count(db, "SELECT count(*) FROM rejected_messages") == 1, what="the conflict")
    pub.disconnect()
    limits = limits_from(ingest_settings(database_url, broker))
    clock = ManualClock(NOW)

    kept = replay(db, clock=clock, prefix="restock/v1", limits=limits)
    assert (kept.accepted, kept.still_rejected, kept.conflicting) == (0, 1, 1)
    assert count(db, "SELECT count(*) FROM rejected_messages WHERE replayed_at IS NULL") == 1
    assert count(db, "SELECT count(*) FROM rejected_messages") == 1  # nothing new kept

    db.execute("DELETE FROM readings WHERE sensor_id = 'twice'")  # the operator's decision
    taken = replay(db, clock=clock, prefix="restock/v1", limits=limits)
    assert (taken.accepted, taken.readings_inserted, taken.still_rejected) == (1, 1, 0)
    assert db.execute("SELECT raw_value FROM readings").fetchall() == [(7.0,)]
