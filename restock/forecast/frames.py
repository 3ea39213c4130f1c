"""DataFrame ⇄ LevelSeries: the tabular shape files, simulators and benches use."""

from __future__ import annotations

import numpy as np
import pandas as pd

from restock.forecast.pipeline import LevelSeries
from restock.forecast.timegrid import epoch_seconds


def series_from_frame(frame: pd.DataFrame, *, time_zone: str = "Asia/Tokyo") -> list[LevelSeries]:
    """One LevelSeries per series_id of a (series_id, time (tz-aware), level) frame.

    Rows may come in any order; series keep the order of their first appearance.
    """
    if frame.empty:
        return []
    ids = frame["series_id"].astype(str).to_numpy()
    codes, names = pd.factorize(ids)
    order = np.argsort(codes, kind="stable")
    times = epoch_seconds(frame["time"])[order]
    levels = frame["level"].to_numpy(dtype=np.float64)[order]
    bounds = np.flatnonzero(np.diff(codes[order])) + 1
    out = []
    for name, t, v in zip(names, np.split(times, bounds), np.split(levels, bounds), strict=True):
        out.append(LevelSeries(series_id=str(name), times=t, levels=v, time_zone=time_zone))
    return out
