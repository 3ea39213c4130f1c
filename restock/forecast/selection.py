"""Per-series model choice by rolling-origin backtest with a cost/benefit rule.

The first cheap model is the default. The other cheap models are all backtested; a
costlier model is tried only when the best cheap model does poorly (its score is above
`try_costly_above`). A challenger replaces the current choice only if it lowers the
backtest error by at least `min_gain`, so noise in a few origins does not flip models
and slow models run only where they pay. The margin is large (50 %) on evidence: on
the food_wholesale simulation (lumpy demand) every smaller margin made stockout-time
error worse than always keeping the default, because a fortnight of daily origins
says little about which model will do better next.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from restock.forecast.backtest import Backtest, backtest
from restock.forecast.models import CHEAP, INTERMITTENT, History, get_model


@dataclass(frozen=True, slots=True, kw_only=True)
class SelectionConfig:
    """Candidates for selection.

    `intermittent` models join the cheap ones when fewer than `intermittent_below` of
    the observed steps have demand; `costly` models are gated by the cost/benefit rule.
    """

    cheap: tuple[str, ...] = CHEAP
    intermittent: tuple[str, ...] = INTERMITTENT
    intermittent_below: float = 0.2
    costly: tuple[str, ...] = ()
    min_gain: float = 0.5
    try_costly_above: float = 0.15


@dataclass(frozen=True, slots=True, kw_only=True)
class Selection:
    """The chosen model's name and backtest, and every candidate's score."""

    model: str
    backtest: Backtest
    scores: dict[str, float]


def select_model(
    history: History, config: SelectionConfig | None = None, *, series_id: str = ""
) -> Selection:
    """Backtest the candidates on `history` and pick one (see the module docstring)."""
    cfg = config or SelectionConfig()
    results: dict[str, Backtest] = {}
    candidates = cfg.cheap
    if demand_share(history) < cfg.intermittent_below:
        candidates = candidates + tuple(m for m in cfg.intermittent if m not in candidates)
    for name in candidates:
        results[name] = backtest(
            name, history, max_origins=get_model(name).max_origins, series_id=series_id
        )
    best_cheap = min(r.score() for r in results.values()) if results else float("inf")
    if cfg.costly and best_cheap > cfg.try_costly_above:
        for name in cfg.costly:
            results[name] = backtest(
                name, history, max_origins=get_model(name).max_origins, series_id=series_id
            )
    ranked = list(results)  # the default first, then by the order given
    chosen = ranked[0]
    for name in ranked[1:]:
        # a challenger must beat the current choice by min_gain: backtests on a few
        # origins are noisy, and a costlier model must pay for its cost
        if results[name].score() < results[chosen].score() * (1.0 - cfg.min_gain):
            chosen = name
    return Selection(
        model=chosen,
        backtest=results[chosen],
        scores={name: r.score() for name, r in results.items()},
    )


def demand_share(history: History) -> float:
    """Share of observed steps with demand above the noise level (1.0 without data)."""
    y = history.consumption[~np.isnan(history.consumption)]
    return float(np.mean(y > history.demand_eps)) if len(y) else 1.0
