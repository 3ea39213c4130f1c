"""Forecasts as stored in the `forecasts` table: what other packages (replenish) read."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredForecast:
    """One row of `forecasts`, as `forecast.queries.latest_forecasts` reads it.

    stockout_cdf[i] = P(stockout by as_of + i * cdf_step_hours); the quantiles are None
    beyond the horizon. p_stockout_lead_time / p_stockout_next_visit: P(stockout before
    as_of + the product's lead time / the customer's visit cadence; None without one).
    """

    stock_point_id: int
    as_of: datetime
    model: str
    level: float
    rate_per_hour: float
    stockout_p10: datetime | None
    stockout_p50: datetime | None
    stockout_p90: datetime | None
    p_stockout_lead_time: float | None
    p_stockout_next_visit: float | None
    stockout_cdf: Sequence[float]
    cdf_step_hours: float
    history_start: datetime
    history_end: datetime
    run_id: int

    def p_stockout_before(self, when: datetime) -> float:
        """P(the stock runs out before `when`, a timezone-aware time).

        Interpolated on the stored CDF; beyond the horizon, the value at the horizon
        (a lower bound). Raises ValueError for a naive `when`.
        """
        return p_stockout_before(self.stockout_cdf, self.cdf_step_hours, self.as_of, when)


def p_stockout_before(
    cdf: Sequence[float], step_hours: float, as_of: datetime, when: datetime
) -> float:
    """P(stockout before `when`) from a stored CDF (cdf[i] at as_of + i * step_hours)."""
    if when.tzinfo is None:
        raise ValueError(f"time {when.isoformat()} has no time zone")
    hours = max((when - as_of).total_seconds() / 3600.0, 0.0)
    grid = np.arange(len(cdf), dtype=np.float64) * step_hours
    return float(np.interp(hours, grid, np.asarray(cdf, dtype=np.float64)))
