"""One series from raw levels to a forecast: clean, select, forecast, deplete.

This is the pure core the CLI, the database job and the benchmark all call.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from restock.forecast.backtest import backtest
from restock.forecast.consumption import CleaningConfig, Consumption, to_consumption
from restock.forecast.depletion import Depletion, depletion
from restock.forecast.errors import BadLevelsError
from restock.forecast.models import History, get_model, run_model
from restock.forecast.selection import SelectionConfig, select_model
from restock.forecast.timegrid import FloatArray, IntArray, from_epoch, hour_of_week, to_epoch

log = logging.getLogger(__name__)

RATE_WINDOW_H = 7 * 24


@dataclass(frozen=True, slots=True, kw_only=True)
class ForecastConfig:
    """Everything a forecast run is tuned by. `model` forces one model (no selection)."""

    horizon_hours: int = 28 * 24
    cleaning: CleaningConfig = field(default_factory=CleaningConfig)
    selection: SelectionConfig = field(default_factory=SelectionConfig)
    model: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class LevelSeries:
    """Raw level readings of one stock point: epoch seconds (UTC) and product units."""

    series_id: str
    times: IntArray
    levels: FloatArray
    time_zone: str = "Asia/Tokyo"


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class SeriesForecast:
    """The forecast for one series as of a time.

    level: estimated stock at `as_of`; rate_per_hour: expected consumption per hour over
    the next week; stockout_p10/p50/p90: quantiles of the stockout time (None beyond the
    horizon); history_start/history_end: the readings used; expected: expected
    consumption per hour after `as_of`; depletion: the stockout-time distribution
    measured from `as_of`.
    """

    series_id: str
    as_of: datetime
    model: str
    level: float
    rate_per_hour: float
    stockout_p10: datetime | None
    stockout_p50: datetime | None
    stockout_p90: datetime | None
    history_start: datetime
    history_end: datetime
    expected: FloatArray
    depletion: Depletion

    def p_stockout_before(self, when: datetime) -> float:
        """P(the stock runs out before `when`), a timezone-aware time; 1.0 if already out."""
        return self.depletion.p_before((to_epoch(when) - to_epoch(self.as_of)) / 3600.0)


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Prediction:
    """A model's expected consumption per step and the backtest errors that calibrate it."""

    model: str
    expected: FloatArray
    errors: FloatArray
    eps: float


def predict(
    history: History, steps: int, config: ForecastConfig, *, series_id: str = ""
) -> Prediction:
    """Choose a model for `history` (or use config.model) and forecast `steps` ahead."""
    if config.model is None:
        chosen = select_model(history, config.selection, series_id=series_id)
        name, errors, eps = chosen.model, chosen.backtest.errors, chosen.backtest.eps
    else:
        model = get_model(config.model)
        bt = backtest(model.name, history, max_origins=model.max_origins, series_id=series_id)
        name, errors, eps = model.name, bt.errors, bt.eps
    used, expected = run_model(name, history, steps, series_id=series_id)
    return Prediction(model=used, expected=expected, errors=errors, eps=eps)


def history_of(cons: Consumption, upto: int, calendar: IntArray | None = None) -> History:
    """What models see of `cons` up to (excluding) bin `upto`.

    calendar: hour-of-week of every bin of `cons` and beyond (default: cons' own).
    """
    return History(
        consumption=cons.consumption[:upto],
        hour_of_week=cons.hour_of_week if calendar is None else calendar,
        end=cons.end - (cons.n - upto) * cons.step,
        step=cons.step,
        time_zone=cons.time_zone,
        demand_eps=2.0 * cons.noise,
    )


def forecast_series(
    series: LevelSeries, *, as_of: int | None = None, config: ForecastConfig | None = None
) -> SeriesForecast:
    """Forecast one series as of `as_of` (epoch seconds; default: its last reading).

    Raises BadLevelsError when the series has no usable reading before `as_of`.
    """
    cfg = config or ForecastConfig()
    if len(series.times) == 0:
        raise BadLevelsError(f"series {series.series_id!r} has no readings")
    end = int(series.times.max()) if as_of is None else as_of
    try:
        cons = to_consumption(
            series.times, series.levels, end=end, time_zone=series.time_zone, config=cfg.cleaning
        )
    except BadLevelsError as exc:
        raise BadLevelsError(f"series {series.series_id!r}: {exc}") from exc
    return forecast_consumption(series.series_id, cons, times=series.times, config=cfg)


def forecast_consumption(
    series_id: str, cons: Consumption, *, times: IntArray, config: ForecastConfig
) -> SeriesForecast:
    """Forecast from an already cleaned consumption series (see forecast_series)."""
    last = cons.last_observed()
    if last is None:
        raise BadLevelsError(f"series {series_id!r} has no readings in the history window")
    gap = cons.n - 1 - last  # steps between the last reading and as_of
    horizon = config.horizon_hours * 3600 // cons.step
    future = cons.end + cons.step * np.arange(horizon, dtype=np.int64)
    ahead_how = hour_of_week(future, cons.time_zone, config.cleaning.holidays)
    history = history_of(cons, last + 1, np.concatenate((cons.hour_of_week, ahead_how)))
    pred = predict(history, gap + horizon, config, series_id=series_id)
    expected = pred.expected
    cum = np.cumsum(expected)
    last_level = float(cons.level[last])
    empty = bool(cons.censored[last])
    level = 0.0 if empty else last_level
    step_h = cons.step / 3600.0
    dist = Depletion(cdf=depletion(level, cum, pred.errors, eps=pred.eps).cdf, step_hours=step_h)
    if gap:  # sensor silent lately: the distribution starts at the last reading
        dist = Depletion(cdf=dist.cdf[gap:], step_hours=dist.step_hours)
        level = max(level - float(cum[gap - 1]), 0.0)
    ahead = expected[gap : gap + int(RATE_WINDOW_H / step_h)]
    as_of = from_epoch(cons.end)

    def when(q: float) -> datetime | None:
        hours = dist.quantile(q)
        return None if hours is None else from_epoch(cons.end + hours * 3600.0)

    used_times = times[(times <= cons.end) & (times > cons.end - cons.n * cons.step)]
    return SeriesForecast(
        series_id=series_id,
        as_of=as_of,
        model=pred.model,
        level=level,
        rate_per_hour=float(np.mean(ahead)) / step_h if len(ahead) else 0.0,
        stockout_p10=when(0.1),
        stockout_p50=when(0.5),
        stockout_p90=when(0.9),
        history_start=from_epoch(int(used_times.min())),
        history_end=from_epoch(int(used_times.max())),
        expected=expected[gap:],
        depletion=dist,
    )
