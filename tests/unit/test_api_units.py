"""Pure pieces of the API and scheduler: chart buckets, job slots, token hashing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from restock.api.auth import Principal, Role, hash_token
from restock.api.errors import Invalid
from restock.api.queries.readings import bucket_seconds, chart_range
from restock.scheduler.queries import lock_key
from restock.scheduler.runner import slot

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def test_a_week_in_500_points_is_cut_into_21_minute_buckets() -> None:
    assert bucket_seconds(T0 - timedelta(days=7), T0, 500) == 1210


def test_buckets_are_never_shorter_than_a_minute() -> None:
    assert bucket_seconds(T0 - timedelta(minutes=10), T0, 500) == 60


def test_a_backwards_range_is_refused_with_both_ends_named() -> None:
    with pytest.raises(Invalid, match="2026-11-20T12:00:00"):
        bucket_seconds(T0, T0 - timedelta(hours=1), 10)


def test_a_chart_defaults_to_the_week_up_to_now() -> None:
    assert chart_range(None, None, T0) == (T0 - timedelta(days=7), T0)
    assert chart_range(None, T0 - timedelta(days=1), T0)[0] == T0 - timedelta(days=8)


def test_a_job_slot_is_the_clock_floored_to_the_interval() -> None:
    assert slot(T0 + timedelta(minutes=59, seconds=59), 3600) == T0
    assert slot(T0 + timedelta(minutes=7), 300) == T0 + timedelta(minutes=5)


def test_each_job_has_its_own_stable_lock_key() -> None:
    keys = {lock_key(name) for name in ("forecast", "replenish", "dispatch", "offline_sweep")}
    assert len(keys) == 4
    assert lock_key("forecast") == lock_key("forecast")
    assert all(-(2**63) <= key < 2**63 for key in keys)


def test_tokens_are_stored_as_a_digest_not_as_given() -> None:
    digest = hash_token("rst_secret")
    assert digest != "rst_secret" and len(digest) == 64
    assert hash_token("rst_secret") == digest != hash_token("rst_secreT")


def test_only_a_rep_token_is_limited_to_its_rep() -> None:
    assert Principal(token_id=1, role=Role.rep, rep_id="rep-1").scope_rep == "rep-1"
    assert Principal(token_id=2, role=Role.planner).scope_rep is None
