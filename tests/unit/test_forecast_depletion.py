"""Depletion: stockout-time quantiles and P(stockout before T) agree and behave."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from restock.forecast.backtest import HORIZONS
from restock.forecast.depletion import depletion


def errors(sd: float, n: int = 10, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(0.0, sd, size=(n, len(HORIZONS)))


def test_median_stockout_is_where_expected_consumption_meets_the_level() -> None:
    cum = np.cumsum(np.full(672, 2.0))  # 2 units per hour
    dist = depletion(100.0, cum, errors(0.1), eps=1.0)
    p50 = dist.quantile(0.5)
    assert p50 is not None and abs(p50 - 50.0) < 4.0


def test_quantiles_are_ordered_and_match_the_probability_function() -> None:
    cum = np.cumsum(np.full(672, 1.0))
    dist = depletion(80.0, cum, errors(0.3), eps=1.0)
    p10, p50, p90 = dist.quantile(0.1), dist.quantile(0.5), dist.quantile(0.9)
    assert p10 is not None and p50 is not None and p90 is not None
    assert p10 < p50 < p90
    for q, hours in ((0.1, p10), (0.5, p50), (0.9, p90)):
        assert abs(dist.p_before(hours) - q) < 1e-6


def test_wider_errors_give_a_wider_interval() -> None:
    cum = np.cumsum(np.full(672, 1.0))
    narrow = depletion(80.0, cum, errors(0.05), eps=1.0)
    wide = depletion(80.0, cum, errors(0.4), eps=1.0)
    width = [d.quantile(0.9) - d.quantile(0.1) for d in (narrow, wide)]  # type: ignore[operator]
    assert width[0] < width[1]


def test_stock_that_lasts_beyond_the_horizon_has_no_quantile() -> None:
    cum = np.cumsum(np.full(100, 0.1))  # 10 units in the horizon
    dist = depletion(500.0, cum, errors(0.1), eps=0.1)
    assert dist.quantile(0.5) is None
    assert dist.p_before(100.0) < 0.01


def test_empty_stock_is_out_now() -> None:
    dist = depletion(0.0, np.cumsum(np.ones(24)), errors(0.1), eps=1.0)
    assert dist.quantile(0.1) == 0.0
    assert dist.p_before(0.0) == 1.0


def test_without_backtest_history_a_default_spread_is_used() -> None:
    cum = np.cumsum(np.full(200, 1.0))
    dist = depletion(50.0, cum, np.zeros((0, len(HORIZONS))), eps=1.0)
    assert dist.quantile(0.1) is not None and dist.quantile(0.1) < 50.0  # type: ignore[operator]


@settings(max_examples=60, deadline=None)
@given(
    level=st.floats(0.5, 500.0),
    rate=st.floats(0.01, 20.0),
    sd=st.floats(0.01, 1.0),
    hours=st.lists(st.floats(0.0, 700.0), min_size=2, max_size=5),
)
def test_probability_of_stockout_never_falls_as_time_passes(
    level: float, rate: float, sd: float, hours: list[float]
) -> None:
    dist = depletion(level, np.cumsum(np.full(672, rate)), errors(sd), eps=rate)
    probs = [dist.p_before(h) for h in sorted(hours)]
    assert all(0.0 <= p <= 1.0 for p in probs)
    assert probs == sorted(probs)


def test_misses_below_forecast_do_not_widen_the_early_side() -> None:
    # every backtest consumed less than forecast: stock with 30 days of cover at the
    # forecast rate must not look likely to run out within four days
    under = -np.abs(errors(1.2))
    cum = np.cumsum(np.full(672, 1.0))
    both = depletion(720.0, cum, np.concatenate((under, -under)), eps=1.0)
    below = depletion(720.0, cum, under, eps=1.0)
    assert below.p_before(96.0) < 0.01 < both.p_before(96.0)
    assert below.quantile(0.9) is None or below.quantile(0.9) > both.quantile(0.9)  # type: ignore[operator]


def test_a_wild_first_hour_does_not_lift_the_whole_curve() -> None:
    # short-horizon log ratios of intermittent demand are huge; later ones are calm
    errs = errors(0.1)
    errs[:, HORIZONS <= 12] = errors(4.0)[:, HORIZONS <= 12]
    cum = np.cumsum(np.full(672, 1.0))
    dist = depletion(300.0, cum, errs, eps=1.0)
    assert dist.p_before(96.0) < 0.001
