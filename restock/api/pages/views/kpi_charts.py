"""The KPI page's charts: the seeds' quarterly figures (visits, orders and value per
visit, fill rate, stockout hours, repeat and churn-risk customers, forecast error) per
rep, per segment and per week, as small charts with the same figures in a table."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

# (title, [(KPI key, series label)], percent?) — one chart each
PANELS: tuple[tuple[str, tuple[tuple[str, str], ...], bool], ...] = (
    ("Visits and orders", (("visits", "visits"), ("orders", "orders")), False),
    ("Order value per visit", (("order_value_per_visit", "value per visit"),), False),
    (
        "Fill rate and forecast error",
        (("fill_rate", "fill rate"), ("forecast_error", "forecast error")),
        True,
    ),
    ("Stockout hours", (("stockout_hours", "stockout hours"),), False),
    ("Repeat rate", (("repeat_rate", "repeat rate"),), True),
    ("Churn-risk customers", (("churn_risk_customers", "customers"),), False),
)


QUIET_WEEK = {"visits": 0, "orders": 0, "stockout_hours": 0, "churn_risk_customers": 0}


QUIET_WEEK = {"visits": 0, "orders": 0, "stockout_hours": 0, "churn_risk_customers": 0}


@dataclass(frozen=True, slots=True, kw_only=True)
class Panel:
    """One chart: `labels` along x, one series per KPI (None where there is no figure)."""

    id: str
    title: str
    kind: str  # bar or line
    percent: bool
    labels: tuple[str, ...]
    series: tuple[tuple[str, tuple[float | None, ...]], ...]

    def chart(self) -> dict[str, Any]:
        """What the page's script turns into a Chart.js chart."""
        return {
            "kind": self.kind,
            "percent": self.percent,
            "labels": list(self.labels),
            "series": [{"label": name, "data": list(data)} for name, data in self.series],
        }


def _value(row: Mapping[str, Any], key: str) -> float | None:
    value = row.get(key)
    return None if value is None else round(float(value), 4)


def panels(
    rows: Sequence[Mapping[str, Any]],
    *,
    prefix: str,
    kind: str,
    names: Mapping[str, str] | None = None,
) -> list[Panel]:
    """A panel per PANELS entry over `rows` (one per group, in order); `names` turns a
    group key (a rep id) into the label shown."""
    labels = tuple((names or {}).get(str(r["group"]), str(r["group"])) for r in rows)
    return [
        Panel(
            id=f"{prefix}-{i}",
            title=title,
            kind=kind,
            percent=percent,
            labels=labels,
            series=tuple((label, tuple(_value(r, key) for r in rows)) for key, label in keys),
        )
        for i, (title, keys, percent) in enumerate(PANELS)
    ]


def weekly_rows(
    weeks: Sequence[tuple[date, Sequence[Mapping[str, Any]]]],
) -> list[dict[str, Any]]:
    """One row per week (labelled by its Monday) from each week's overall KPI rows; a
    week with no activity is all zeros and empty ratios, not missing."""
    out = []
    for monday, rows in weeks:
        row: dict[str, Any] = dict(rows[0]) if rows else dict(QUIET_WEEK)
        row["group"] = monday.strftime("%d %b")
        out.append(row)
    return out
