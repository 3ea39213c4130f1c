"""The replenishment job: forecasts as of `as_of` → draft orders (approved by rule or
waiting) → visit triggers; delivered lines reconciled against the level jumps seen.
Idempotent: running it again for the same `as_of` drafts
nothing twice and raises no trigger twice.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import psycopg

from restock.core.settings import Settings
from restock.forecast.stored import p_stockout_before
from restock.replenish.orders import queries
from restock.replenish.orders.consolidate import CustomerState, plan_customer
from restock.replenish.orders.drafts import SensorHealth, draft_and_judge, draft_facts
from restock.replenish.orders.reconcile import reconcile_deliveries
from restock.replenish.orders.rules import list_rules
from restock.replenish.policy import PointState
from restock.replenish.segments import ReplenishConfig
from restock.replenish.triggers.detect import TriggerConfig
from restock.replenish.triggers.service import raise_triggers

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class StoredCurve:
    """The stockout CDF of a `forecasts` row."""

    cdf: tuple[float, ...]
    step_hours: float
    as_of: datetime

    def p_stockout_before(self, when: datetime) -> float:
        return p_stockout_before(self.cdf, self.step_hours, self.as_of, when)


@dataclass(frozen=True, slots=True, kw_only=True)
class JobConfig:
    """policy: the replenishment policy; max_forecast_age_hours: older forecasts are
    ignored (the stock point is skipped until the forecast job catches up); triggers:
    the trigger thresholds (default: TriggerConfig's)."""

    policy: ReplenishConfig = field(default_factory=ReplenishConfig)
    max_forecast_age_hours: float = 36.0
    triggers: TriggerConfig | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> JobConfig:
        return cls(
            policy=ReplenishConfig.from_settings(settings),
            max_forecast_age_hours=settings.replenish_max_forecast_age_h,
            triggers=TriggerConfig.from_settings(settings),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class JobSummary:
    as_of: datetime
    stock_points: int
    drafted: int
    updated: int
    approved: int
    waiting: int
    triggers: int
    mismatches: int  # delivered lines whose level jump did not match


@dataclass(slots=True)
class _Loaded:
    points: dict[int, PointState] = field(default_factory=dict)
    customers: dict[str, CustomerState] = field(default_factory=dict)
    by_customer: dict[str, list[PointState]] = field(default_factory=lambda: defaultdict(list))
    health: dict[int, SensorHealth] = field(default_factory=dict)


def _load(conn: queries.Conn, as_of: datetime, cfg: JobConfig) -> _Loaded:
    visits = queries.next_visits(conn, as_of)
    out = _Loaded()
    row: Any
    for row in queries.points_with_forecasts(conn, as_of, cfg.max_forecast_age_hours):
        point = PointState(
            stock_point_id=int(row[0]),
            customer_id=row[1],
            product_id=row[2],
            capacity=float(row[3]),
            target_level=row[4],
            service_level=row[5],
            pack_size=float(row[6]),
            moq=float(row[7]),
            lead_time_hours=float(row[8]),
            unit_cost=float(row[9]),
            level=float(row[13]),
            rate_per_hour=float(row[14]),
            stockout_p10=row[15],
            stockout_p50=row[16],
            stockout_p90=row[17],
            curve=StoredCurve(tuple(float(x) for x in row[18]), float(row[19]), row[20]),
            on_order=float(row[24]),
            on_order_arrival=row[25],
        )
        out.points[point.stock_point_id] = point
        if not row[26]:  # ordered at this as_of already: a re-run must not order again
            out.by_customer[point.customer_id].append(point)
        out.customers.setdefault(
            point.customer_id,
            CustomerState(
                customer_id=point.customer_id,
                segment=row[10],
                rep_id=row[11],
                next_visit=visits.get(point.customer_id),
            ),
        )
        out.health[point.stock_point_id] = SensorHealth(
            status=row[21], battery=row[22], last_seen=row[23]
        )
    return out


def run_replenish_job(
    conn: psycopg.Connection[Any], *, as_of: datetime, config: JobConfig | None = None
) -> JobSummary:
    """Draft, judge and trigger for every stock point with a recent forecast at `as_of`
    (an autocommit connection; each customer's draft is its own transaction).
    Raises ValueError for a naive `as_of`."""
    if as_of.tzinfo is None:
        raise ValueError(f"as_of {as_of.isoformat()} has no time zone")
    cfg = config or JobConfig()
    loaded = _load(conn, as_of, cfg)
    rules = list_rules(conn, enabled_only=True)
    usual = queries.usual_quantities(conn, list(loaded.points))
    drafted = updated = approved = waiting = 0
    on_order = dict(loaded.points)  # with what this run approved counted as on order
    for customer_id, points in loaded.by_customer.items():
        customer = loaded.customers[customer_id]
        plan = plan_customer(customer, points, as_of=as_of, config=cfg.policy)
        if plan is None:
            continue
        facts = draft_facts(
            plan, segment=customer.segment, points=loaded.points, health=loaded.health, usual=usual
        )
        outcome = draft_and_judge(conn, plan, as_of=as_of, facts=facts, rules=rules)
        drafted += outcome.created
        updated += outcome.changed and not outcome.created
        approved += outcome.approved
        waiting += not outcome.approved
        if outcome.approved:  # now on order: no stockout trigger for these
            for line in plan.lines:
                before = on_order[line.stock_point_id]
                on_order[line.stock_point_id] = replace(
                    before,
                    on_order=before.on_order + line.quantity,
                    on_order_arrival=max(
                        plan.deliver_at, before.on_order_arrival or plan.deliver_at
                    ),
                )
    triggers = raise_triggers(
        conn,
        as_of=as_of,
        points=on_order,
        customers=loaded.customers,
        health=loaded.health,
        config=cfg.policy,
        trigger_config=cfg.triggers,
    )
    verdicts = reconcile_deliveries(conn, as_of=as_of)
    summary = JobSummary(
        as_of=as_of,
        stock_points=len(loaded.points),
        drafted=drafted,
        updated=updated,
        approved=approved,
        waiting=waiting,
        triggers=triggers,
        mismatches=verdicts["no_jump"] + verdicts["wrong_size"],
    )
    log.info("replenish as of %s: %s", as_of.isoformat(), summary)
    return summary
