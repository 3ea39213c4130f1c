"""The offline file formats: `series_id,time,level` in, forecasts out.

Input rows may come in any order; times are ISO 8601 (an offset or `Z`; times without
one are taken as UTC). Every malformed row is reported with its line number.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

from restock.forecast.errors import BadLevelsError
from restock.forecast.pipeline import SeriesForecast

REQUIRED = ("series_id", "time", "level")
OUTPUT_COLUMNS = (
    "series_id",
    "as_of",
    "model",
    "level",
    "rate_per_hour",
    "stockout_p10",
    "stockout_p50",
    "stockout_p90",
)


def read_levels(path: Path | str | IO[str]) -> pd.DataFrame:
    """Read and validate a levels CSV into (series_id: str, time: UTC, level: float).

    Raises BadLevelsError naming the first bad line (1-based, header = line 1): wrong
    number of fields, missing header columns, empty series id, unparsable time or a
    level that is not a finite number.
    """
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except pd.errors.ParserError as exc:
        raise BadLevelsError(f"malformed CSV: {exc}") from exc
    except pd.errors.EmptyDataError as exc:
        raise BadLevelsError("the file is empty", line=1) from exc
    missing = [c for c in REQUIRED if c not in raw.columns]
    if missing:
        raise BadLevelsError(f"header lacks column(s) {', '.join(missing)}", line=1)
    lines = np.arange(len(raw)) + 2
    sid = raw["series_id"].str.strip()
    _reject(sid == "", lines, raw, "empty series_id")
    times = pd.to_datetime(raw["time"], utc=True, errors="coerce", format="ISO8601")
    _reject(times.isna().to_numpy(), lines, raw, "time is not an ISO 8601 timestamp")
    level = pd.to_numeric(raw["level"], errors="coerce")
    _reject(~np.isfinite(level.to_numpy(dtype=np.float64)), lines, raw, "level is not a number")
    return pd.DataFrame({"series_id": sid, "time": times, "level": level.astype(np.float64)})


def _reject(bad: np.ndarray | pd.Series, lines: np.ndarray, raw: pd.DataFrame, why: str) -> None:
    mask = np.asarray(bad, dtype=bool)
    if mask.any():
        i = int(np.flatnonzero(mask)[0])
        row = ",".join(str(raw.iloc[i][c]) for c in REQUIRED)
        more = f" ({int(mask.sum()) - 1} more such rows)" if mask.sum() > 1 else ""
        raise BadLevelsError(f"{why}: {row!r}{more}", line=int(lines[i]))


def iso(when: datetime | None) -> str:
    """ISO 8601 UTC to the second, `Z` suffix; empty for None (beyond the horizon)."""
    if when is None:
        return ""
    return when.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def write_forecasts(rows: Iterable[SeriesForecast], out: IO[str]) -> int:
    """Write OUTPUT_COLUMNS rows to `out`; returns how many were written."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(OUTPUT_COLUMNS)
    count = 0
    for f in rows:
        writer.writerow(
            (
                f.series_id,
                iso(f.as_of),
                f.model,
                f"{f.level:.6g}",
                f"{f.rate_per_hour:.6g}",
                iso(f.stockout_p10),
                iso(f.stockout_p50),
                iso(f.stockout_p90),
            )
        )
        count += 1
    return count
