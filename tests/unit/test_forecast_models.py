"""Models: each recovers the demand it is built for; failures fall back, never crash."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from restock.forecast.backtest import backtest, demand_scale
from restock.forecast.errors import UnknownModelError
from restock.forecast.models import MODELS, History, get_model, run_model
from restock.forecast.selection import SelectionConfig, select_model

WEEKS = 6


def weekly_history(weeks: int = WEEKS, seed: int = 0) -> tuple[History, np.ndarray]:
    rng = np.random.default_rng(seed)
    pattern = np.zeros(168)
    for day in range(5):
        pattern[day * 24 + 9 : day * 24 + 18] = 3.0  # weekdays 9–18 local
    pattern[5 * 24 + 10 : 5 * 24 + 14] = 1.0  # a short Saturday
    how = np.arange(weeks * 168 + 400, dtype=np.int64) % 168
    y = rng.poisson(pattern[how[: weeks * 168]]).astype(np.float64)
    return History(consumption=y, hour_of_week=how, end=weeks * 168 * 3600), pattern


def test_default_model_learns_the_weekly_pattern() -> None:
    history, pattern = weekly_history()
    _, forecast = run_model("ew_profile", history, 168)
    assert forecast[6 * 24 : 7 * 24].max() < 0.15 * forecast.max()  # Sunday closed
    assert abs(forecast.sum() - pattern.sum()) / pattern.sum() < 0.1


def test_every_model_gives_a_week_total_close_to_demand() -> None:
    history, pattern = weekly_history()
    for name in ("ew_profile", "ew_rate", "seasonal_naive", "holt_winters"):
        used, forecast = run_model(name, history, 168)
        assert used == name
        assert forecast.shape == (168,)
        assert abs(forecast.sum() - pattern.sum()) / pattern.sum() < 0.25, name


def test_intermittent_models_on_sparse_demand() -> None:
    y = np.zeros(1001)
    y[::25] = 5.0  # 5 units every 25 hours → 0.2 per hour, the last one just now
    history = History(consumption=y, hour_of_week=np.arange(1200) % 168, end=1001 * 3600)
    for name in ("croston", "sba", "tsb"):
        _, forecast = run_model(name, history, 24)
        assert forecast[0] == pytest.approx(0.2, rel=0.3), name


def test_intermittent_series_get_intermittent_candidates() -> None:
    y = np.zeros(1001)
    y[::25] = 5.0
    history = History(consumption=y, hour_of_week=np.arange(1200) % 168, end=1001 * 3600)
    assert {"sba", "tsb"} <= set(select_model(history).scores)
    weekly, _ = weekly_history()
    assert "tsb" not in select_model(weekly).scores


def test_a_failing_model_falls_back_to_a_simpler_named_one() -> None:
    history, _ = weekly_history(weeks=1)  # too short for Holt-Winters' weekly season
    used, forecast = run_model("holt_winters", history, 48)
    assert used == "ew_profile"
    assert np.all(np.isfinite(forecast))


def test_missing_values_are_skipped_not_taken_as_zero() -> None:
    y = np.random.default_rng(1).poisson(2.0, size=800).astype(np.float64)
    y[::2] = np.nan
    holed = History(consumption=y, hour_of_week=np.arange(900) % 168, end=800 * 3600)
    for name in ("ew_rate", "ew_profile"):
        _, forecast = run_model(name, holed, 24)
        assert forecast.mean() == pytest.approx(2.0, rel=0.2), name


def test_unknown_model_is_named_in_the_error() -> None:
    with pytest.raises(UnknownModelError, match="nope"):
        get_model("nope")


def test_selection_keeps_the_default_unless_a_challenger_clearly_wins() -> None:
    history, _ = weekly_history()
    chosen = select_model(history, SelectionConfig())
    assert chosen.model == "ew_profile"
    assert set(chosen.scores) >= {"ew_profile", "ew_rate"}
    # a flat rate loses to the profile on a weekly pattern
    assert chosen.scores["ew_rate"] > chosen.scores["ew_profile"]


def test_costly_models_are_tried_only_when_cheap_ones_do_badly() -> None:
    history, _ = weekly_history()
    cfg = SelectionConfig(costly=("holt_winters",), try_costly_above=10.0)
    assert "holt_winters" not in select_model(history, cfg).scores
    cfg = SelectionConfig(costly=("holt_winters",), try_costly_above=0.0)
    assert "holt_winters" in select_model(history, cfg).scores


def test_vectorised_backtest_fits_match_one_fit_per_origin() -> None:
    rng = np.random.default_rng(0)
    y = rng.poisson(0.1, 800) * rng.integers(1, 5, 800).astype(np.float64)
    y[rng.random(800) < 0.1] = np.nan
    history = History(
        consumption=y, hour_of_week=np.arange(1000) % 168, end=800 * 3600, demand_eps=0.5
    )
    origins = np.array([600, 700, 500, 790])
    for name, model in MODELS.items():
        if model.batch_fn is None:
            continue
        batch = model.batch_fn(history, origins, 5)
        one_by_one = np.stack([model.fn(history.truncated(int(o)), 5) for o in origins])
        assert np.allclose(batch, one_by_one), name


def test_prophet_runs_when_asked_and_learns_the_week() -> None:
    history, pattern = weekly_history(weeks=3)
    used, forecast = run_model("prophet", history, 168)
    assert used == "prophet"
    assert abs(forecast.sum() - pattern.sum()) / pattern.sum() < 0.3


def test_a_young_series_is_backtested_only_from_origins_with_history_before_them() -> None:
    history, _ = weekly_history()
    young = np.full(history.n, np.nan)
    young[-10 * 24 :] = history.consumption[-10 * 24 :]  # sensor installed 10 days ago
    bt = backtest("ew_profile", replace(history, consumption=young), max_origins=14)
    assert len(bt.errors) == 3  # origins 1–3 days back have ≥ 7 days before them
    assert len(backtest("ew_profile", history, max_origins=14).errors) == 14


def test_the_log_ratio_guard_is_one_purchase_for_intermittent_demand() -> None:
    y = np.zeros(24 * 28)
    y[::40] = 12.0  # a box of 12 now and then
    history = History(consumption=y, hour_of_week=np.arange(y.size) % 168, end=y.size * 3600)
    assert demand_scale(history) == pytest.approx(12.0)
