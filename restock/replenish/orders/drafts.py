"""Write the policy's plans as draft orders, idempotently, and let rules approve them.

A customer's drafts follow the plans of the latest run: re-running for the same
`as_of` leaves unchanged drafts untouched and updates changed ones in place. A draft's waiting
reasons are judged on its quantities as they stand (after a planner's edit, again).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from restock.core.db import Conn
from restock.replenish import queries as shared
from restock.replenish import state
from restock.replenish.errors import OrderNotFound
from restock.replenish.lifecycle import Entity, OrderStatus, move
from restock.replenish.model import PointState, SensorHealth
from restock.replenish.orders import queries
from restock.replenish.orders.approval import approve_order, withdraw_draft
from restock.replenish.orders.auto_approve import DraftFacts, LineFacts, Rule, evaluate
from restock.replenish.orders.consolidate import CustomerPlan
from restock.replenish.orders.rules import list_rules

log = logging.getLogger(__name__)

JOB_ACTOR = "job"


@dataclass(frozen=True, slots=True, kw_only=True)
class DraftOutcome:
    order_id: int
    created: bool
    changed: bool
    approved: bool
    waiting_reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class JudgeConfig:
    """How fresh the state a draft is judged on must be (as in the replenishment job)."""

    max_forecast_age_hours: float = 36.0
    health_look_back_hours: float = 72.0


def save_drafts(
    conn: Conn, customer_id: str, plans: Sequence[CustomerPlan], *, as_of: datetime
) -> list[tuple[int, bool, bool]]:
    """Make the customer's open drafts the `plans` (soonest first): the first draft
    takes the first plan, and so on; a draft left over is withdrawn (the need went
    away), a plan left over becomes a new draft. Returns (order id, created, changed)
    per plan. An unchanged draft is left untouched."""
    results: list[tuple[int, bool, bool]] = []
    with conn.transaction():
        drafts = queries.open_drafts(conn, customer_id)
        for order_id in drafts[len(plans) :]:
            withdraw_draft(conn, order_id, at=as_of, reason="no longer needed at this review")
        pairs = list(zip(drafts, plans, strict=False))
        rewrite = [
            (order_id, plan)
            for order_id, plan in pairs
            if queries.line_quantities(conn, order_id) != _wanted(plan)
        ]
        for order_id, _ in rewrite:  # first, so no stock point sits on two drafts meanwhile
            queries.delete_lines(conn, order_id)
        changed = {order_id for order_id, _ in rewrite}
        for order_id, plan in pairs:
            if order_id not in changed:
                results.append((order_id, False, False))
                continue
            move(Entity.order, order_id, OrderStatus.draft, "redraft")
            queries.update_draft_header(conn, order_id, as_of=as_of, deliver_at=plan.deliver_at,
                                        on_visit=plan.on_planned_visit)  # fmt: skip
            _write_lines(conn, order_id, plan, as_of=as_of, created=False)
            results.append((order_id, False, True))
        for plan in plans[len(drafts) :]:
            order_id = queries.insert_order(conn, customer_id=customer_id, as_of=as_of,
                                            deliver_at=plan.deliver_at,
                                            on_visit=plan.on_planned_visit)  # fmt: skip
            _write_lines(conn, order_id, plan, as_of=as_of, created=True)
            results.append((order_id, True, True))
    return results


def _wanted(plan: CustomerPlan) -> dict[int, float]:
    return {ln.stock_point_id: ln.quantity for ln in plan.lines}


def _write_lines(
    conn: Conn, order_id: int, plan: CustomerPlan, *, as_of: datetime, created: bool
) -> None:
    lines = [(ln.stock_point_id, ln.quantity, ln.unit_cost, ln.reason, ln.reasoning)
             for ln in plan.lines]  # fmt: skip
    queries.replace_lines(conn, order_id, lines)
    shared.record(
        conn,
        Entity.order,
        order_id,
        at=as_of,
        actor=JOB_ACTOR,
        action="draft" if created else "redraft",
        from_status=None if created else OrderStatus.draft,
        to_status=OrderStatus.draft,
        detail={"lines": len(lines), "value": plan.value},
    )


def draft_facts(
    *,
    customer_id: str,
    segment: str,
    lines: Sequence[tuple[int, str, float, float]],
    points: Mapping[int, PointState],
    health: Mapping[int, SensorHealth],
    usual: Mapping[int, float],
) -> DraftFacts:
    """What the auto-approve rules look at for a draft of `lines` (stock point id,
    product id, quantity, unit cost)."""
    facts = []
    for sp, product_id, quantity, _ in lines:
        p = points.get(sp)
        h = health.get(sp, SensorHealth())
        facts.append(
            LineFacts(
                stock_point_id=sp,
                product_id=product_id,
                quantity=quantity,
                usual_quantity=usual.get(sp),
                forecast_as_of=None if p is None else p.forecast_as_of,
                stockout_p10=None if p is None else p.stockout_p10,
                stockout_p50=None if p is None else p.stockout_p50,
                stockout_p90=None if p is None else p.stockout_p90,
                sensor_status=h.status,
                battery=h.battery,
                last_reading_at=h.last_reading_at,
                rejected_recent=h.rejected_total,
            )
        )
    return DraftFacts(
        customer_id=customer_id,
        segment=segment,
        value=sum(q * cost for _, _, q, cost in lines),
        lines=tuple(facts),
    )


def judge_draft(
    conn: Conn,
    order_id: int,
    plan: CustomerPlan,
    *,
    created: bool,
    changed: bool,
    as_of: datetime,
    facts: DraftFacts,
    rules: Sequence[Rule],
) -> DraftOutcome:
    """Approve a saved draft by rule or record why it waits."""
    verdict = evaluate(facts, rules, as_of=as_of)
    if verdict.approved_by is not None:
        approve_order(
            conn,
            order_id,
            actor=f"rule:{verdict.approved_by}",
            at=as_of,
            rule_id=verdict.approved_by,
        )
        log.info(
            "order %s for %s approved by rule %s", order_id, plan.customer_id, verdict.approved_by
        )
        return DraftOutcome(
            order_id=order_id, created=created, changed=changed, approved=True, waiting_reasons=()
        )
    _wait(conn, order_id, verdict.failures, at=as_of)
    return DraftOutcome(
        order_id=order_id,
        created=created,
        changed=changed,
        approved=False,
        waiting_reasons=verdict.failures,
    )


def _wait(conn: Conn, order_id: int, reasons: Sequence[str], *, at: datetime) -> None:
    if queries.set_waiting(conn, order_id, reasons):
        shared.record(conn, Entity.order, order_id, at=at, actor=JOB_ACTOR, action="waiting",
                      from_status=OrderStatus.draft, to_status=OrderStatus.draft,
                      detail={"reasons": list(reasons)})  # fmt: skip


def rejudge(
    conn: Conn, order_id: int, *, at: datetime, config: JudgeConfig | None = None
) -> tuple[str, ...]:
    """Judge a draft again on its lines as they stand (after a planner's edit) and
    record why it waits; the draft is not approved by this (the planner decides).
    Returns the failures. Raises OrderNotFound."""
    cfg = config or JudgeConfig()
    head = queries.order_head(conn, order_id)
    if head is None:
        raise OrderNotFound(order_id)
    if head.status != OrderStatus.draft:
        return ()
    lines = queries.order_lines(conn, order_id)
    ids = [ln.stock_point_id for ln in lines]
    now = state.load(
        conn,
        as_of=at,
        max_forecast_age_hours=cfg.max_forecast_age_hours,
        health_look_back_hours=cfg.health_look_back_hours,
        stock_point_ids=ids,
    )
    facts = draft_facts(
        customer_id=head.customer_id,
        segment=head.segment,
        lines=[(ln.stock_point_id, ln.product_id, ln.quantity, ln.unit_cost) for ln in lines],
        points=now.points,
        health=now.health,
        usual=queries.usual_quantities(conn, ids),
    )
    failures = evaluate(facts, list_rules(conn, enabled_only=True), as_of=at).failures
    _wait(conn, order_id, failures, at=at)
    return failures
