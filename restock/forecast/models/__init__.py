"""Forecasting models: one pure function each, registered by name with a fallback.

`run_model` runs a model and walks its fallback chain when it fails, so one series'
bad data never stops a run.
"""

from __future__ import annotations

import logging

import numpy as np

from restock.forecast.errors import ModelFailedError, UnknownModelError
from restock.forecast.models.base import History, Model
from restock.forecast.models.holt_winters import holt_winters
from restock.forecast.models.profile import ew_profile, ew_profile_at, seasonal_naive
from restock.forecast.models.prophet_model import prophet
from restock.forecast.models.rate import (
    croston,
    croston_at,
    ew_rate,
    ew_rate_at,
    sba,
    sba_at,
    tsb,
    tsb_at,
)
from restock.forecast.timegrid import FloatArray

log = logging.getLogger(__name__)

MODELS: dict[str, Model] = {
    m.name: m
    for m in (
        Model(
            name="ew_profile",
            fn=ew_profile,
            batch_fn=ew_profile_at,
            fallback="ew_rate",
            cost_ms=0.05,
            description="exponentially weighted local hour-of-week profile",
        ),
        Model(
            name="ew_rate",
            fn=ew_rate,
            batch_fn=ew_rate_at,
            fallback=None,
            cost_ms=0.02,
            description="exponentially weighted flat rate",
        ),
        Model(
            name="seasonal_naive",
            fn=seasonal_naive,
            fallback="ew_profile",
            cost_ms=0.05,
            description="same local hour last week",
        ),
        Model(
            name="croston",
            fn=croston,
            batch_fn=croston_at,
            fallback="ew_rate",
            cost_ms=0.03,
            description="Croston's method",
        ),
        Model(
            name="sba",
            fn=sba,
            batch_fn=sba_at,
            fallback="ew_rate",
            cost_ms=0.03,
            description="Syntetos-Boylan approximation",
        ),
        Model(
            name="tsb",
            fn=tsb,
            batch_fn=tsb_at,
            fallback="ew_rate",
            cost_ms=0.03,
            description="Teunter-Syntetos-Babai",
        ),
        Model(
            name="holt_winters",
            fn=holt_winters,
            fallback="ew_profile",
            cost_ms=12.0,
            max_origins=4,
            description="Holt-Winters on daily totals, weekly season",
        ),
        Model(
            name="prophet",
            fn=prophet,
            fallback="ew_profile",
            cost_ms=150.0,
            max_origins=2,
            description="Prophet with Japanese holidays",
        ),
    )
}

CHEAP = ("ew_profile", "ew_rate")
INTERMITTENT = ("sba", "tsb")


def get_model(name: str) -> Model:
    """The registered model called `name`; raises UnknownModelError."""
    try:
        return MODELS[name]
    except KeyError:
        raise UnknownModelError(name, sorted(MODELS)) from None


def run_model(
    name: str, history: History, horizon: int, *, series_id: str = ""
) -> tuple[str, FloatArray]:
    """Forecast `horizon` steps with model `name`, falling back along its chain on failure.

    Returns (name of the model that succeeded, expected consumption per step).
    Raises ModelFailedError only if the whole chain fails.
    """
    current: str | None = name
    while current is not None:
        model = get_model(current)
        try:
            out = np.asarray(model.fn(history, horizon), dtype=np.float64)
            if out.shape != (horizon,) or not np.all(np.isfinite(out)):
                raise ModelFailedError(f"{current} returned an invalid forecast")
            return current, out
        except Exception as exc:  # any third-party fit error: fall back, never kill the run
            log.warning(
                "model %s failed for series %s (%s); falling back to %s",
                current,
                series_id,
                exc,
                model.fallback,
            )
            current = model.fallback
    raise ModelFailedError(f"every model failed for series {series_id}")


__all__ = ["CHEAP", "INTERMITTENT", "MODELS", "History", "Model", "get_model", "run_model"]
