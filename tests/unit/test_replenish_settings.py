"""The replenishment policy is configured through Settings (RESTOCK_REPLENISH_*)."""

from __future__ import annotations

import pytest

from restock.core.settings import Settings
from restock.replenish.job import JobConfig
from restock.replenish.segments import DEFAULT_SEGMENTS, ReplenishConfig
from restock.replenish.triggers.detect import TriggerConfig


def test_defaults_are_the_documented_segments() -> None:
    cfg = ReplenishConfig.from_settings(Settings())
    assert dict(cfg.segments) == dict(DEFAULT_SEGMENTS)
    assert cfg == ReplenishConfig(segments=cfg.segments)


def test_environment_sets_segments_and_tuning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RESTOCK_REPLENISH_SERVICE_LEVELS", '{"A": 0.995, "B": 0.98}')
    monkeypatch.setenv("RESTOCK_REPLENISH_CADENCE_DAYS", '{"A": 5, "B": 14}')
    monkeypatch.setenv("RESTOCK_REPLENISH_MIN_ORDER_FRACTION", "0.5")
    monkeypatch.setenv("RESTOCK_REPLENISH_MAX_FORECAST_AGE_H", "12")
    job = JobConfig.from_settings(Settings())
    assert job.max_forecast_age_hours == 12.0
    assert job.policy.min_order_fraction == 0.5
    assert job.policy.segment("A").service_level == 0.995
    assert job.policy.cadence_days("B", None) == 14
    with pytest.raises(KeyError, match="'C'"):
        job.policy.segment("C")


def test_mismatched_or_impossible_segments_are_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RESTOCK_REPLENISH_SERVICE_LEVELS", '{"A": 0.99}')
    with pytest.raises(ValueError, match=r"segments \['A'\].*\['A', 'B', 'C'\]"):
        ReplenishConfig.from_settings(Settings())
    monkeypatch.setenv("RESTOCK_REPLENISH_CADENCE_DAYS", '{"A": 7}')
    monkeypatch.setenv("RESTOCK_REPLENISH_SERVICE_LEVELS", '{"A": 1.5}')
    with pytest.raises(ValueError, match="service level must be in"):
        ReplenishConfig.from_settings(Settings())


def test_trigger_thresholds_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert JobConfig.from_settings(Settings()).triggers == TriggerConfig()
    monkeypatch.setenv("RESTOCK_TRIGGER_DROP_RATIO", "0.3")
    monkeypatch.setenv("RESTOCK_TRIGGER_RISE_FRACTION", "0.4")
    monkeypatch.setenv("RESTOCK_TRIGGER_LOW_BATTERY", "0.25")
    monkeypatch.setenv("RESTOCK_TRIGGER_PROPOSAL_DAYS", "30")
    assert JobConfig.from_settings(Settings()).triggers == TriggerConfig(
        drop_ratio=0.3,
        rise_fraction=0.4,
        low_battery=0.25,
        proposal_days=30,
    )
    monkeypatch.setenv("RESTOCK_TRIGGER_DROP_RATIO", "1.5")
    with pytest.raises(ValueError, match="trigger_drop_ratio"):
        Settings()
