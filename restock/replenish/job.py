"""The replenishment job: forecasts as of `as_of` → draft orders (approved by rule or
waiting for a planner) → deliveries planned → visit triggers; past visits marked
missed; delivered lines reconciled against the level jumps seen.

Idempotent: running it again for the same `as_of` drafts nothing twice and raises no
trigger twice. A planner's rejection holds until something material changes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime

from restock.core.db import Conn
from restock.core.settings import Settings
from restock.replenish import queries as shared
from restock.replenish import state
from restock.replenish.model import PointState
from restock.replenish.orders import queries as oq
from restock.replenish.orders.approval import replan_deliveries, withdraw_draft
from restock.replenish.orders.consolidate import plan_customer
from restock.replenish.orders.drafts import draft_facts, judge_draft, save_drafts
from restock.replenish.orders.holds import material_change
from restock.replenish.orders.reconcile import reconcile_deliveries
from restock.replenish.orders.rules import list_rules
from restock.replenish.policy import p_stockout, protect_until
from restock.replenish.segments import ReplenishConfig
from restock.replenish.triggers.detect import TriggerConfig
from restock.replenish.triggers.service import raise_triggers
from restock.replenish.visits.service import miss_past

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class JobConfig:
    """policy: the replenishment policy; max_forecast_age_hours: older forecasts are
    ignored (the stock point is skipped until the forecast job catches up); triggers:
    the trigger thresholds (default: TriggerConfig's); health_look_back_hours: how far
    back a sensor's rejected messages are counted."""

    policy: ReplenishConfig = field(default_factory=ReplenishConfig)
    max_forecast_age_hours: float = 36.0
    triggers: TriggerConfig | None = None
    health_look_back_hours: float = 72.0

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
    withdrawn: int
    held: int  # stock points not drafted: a planner's rejection stands
    replanned: int  # deliveries planned again (their visit was missed or cancelled)
    missed: int  # planned visits whose day passed
    triggers: int
    mismatches: int  # delivered lines whose level jump did not match


def _unheld(
    conn: Conn, points: list[PointState], st: state.State, as_of: datetime, cfg: ReplenishConfig
) -> tuple[list[PointState], int]:
    """The points no standing rejection keeps out; a rejection something material has
    changed since is released (and says why). Returns (points, how many held)."""
    out, held = [], 0
    for p in points:
        hold = st.holds.get(p.stock_point_id)
        if hold is None:
            out.append(p)
            continue
        until = protect_until(p, as_of, cfg.review_hours)
        why = material_change(hold, p, p_stockout(p, until, ordering_at=as_of))
        if why is None:
            held += 1
            continue
        shared.release_hold(conn, p.stock_point_id, at=as_of, by=f"job: {why}")
        out.append(p)
    return out, held


def run_replenish_job(
    conn: Conn, *, as_of: datetime, config: JobConfig | None = None
) -> JobSummary:
    """Draft, judge, plan deliveries and raise triggers for every stock point with a
    recent forecast at `as_of` (an autocommit connection; each customer's drafts are
    their own transaction). Raises ValueError for a naive `as_of`."""
    if as_of.tzinfo is None:
        raise ValueError(f"as_of {as_of.isoformat()} has no time zone")
    cfg = config or JobConfig()
    missed = miss_past(conn, as_of=as_of)
    st = state.load(
        conn,
        as_of=as_of,
        max_forecast_age_hours=cfg.max_forecast_age_hours,
        health_look_back_hours=cfg.health_look_back_hours,
    )
    rules = list_rules(conn, enabled_only=True)
    usual = oq.usual_quantities(conn, list(st.points))
    drafts = oq.drafts_by_customer(conn)
    drafted = updated = approved = waiting = withdrawn = held = 0
    on_order = dict(st.points)  # with what this run approved counted as on order
    for customer_id, fresh in st.fresh.items():
        customer = st.customers[customer_id]
        points, kept_out = _unheld(conn, fresh, st, as_of, cfg.policy)
        held += kept_out
        plans = plan_customer(customer, points, as_of=as_of, config=cfg.policy)
        if not plans:
            for order_id in drafts.get(customer_id, []):
                withdraw_draft(conn, order_id, at=as_of, reason="no longer needed")
                withdrawn += 1
            continue
        withdrawn += max(len(drafts.get(customer_id, [])) - len(plans), 0)
        saved = save_drafts(conn, customer_id, plans, as_of=as_of)
        for plan, (order_id, created, changed) in zip(plans, saved, strict=True):
            facts = draft_facts(
                customer_id=customer_id,
                segment=customer.segment,
                lines=[
                    (ln.stock_point_id, ln.product_id, ln.quantity, ln.unit_cost)
                    for ln in plan.lines
                ],
                points=st.points,
                health=st.health,
                usual=usual,
            )
            outcome = judge_draft(conn, order_id, plan, created=created, changed=changed,
                                  as_of=as_of, facts=facts, rules=rules)  # fmt: skip
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
    replanned = replan_deliveries(conn, at=as_of)
    triggers = raise_triggers(
        conn,
        as_of=as_of,
        points=on_order,
        customers=st.customers,
        health=st.health,
        config=cfg.policy,
        trigger_config=cfg.triggers,
    )
    verdicts = reconcile_deliveries(conn, as_of=as_of)
    summary = JobSummary(
        as_of=as_of,
        stock_points=len(st.points),
        drafted=drafted,
        updated=updated,
        approved=approved,
        waiting=waiting,
        withdrawn=withdrawn,
        held=held,
        replanned=len(replanned),
        missed=len(missed),
        triggers=triggers,
        mismatches=verdicts["no_jump"] + verdicts["wrong_size"],
    )
    log.info("replenish as of %s: %s", as_of.isoformat(), summary)
    return summary
