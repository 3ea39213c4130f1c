"""Write the policy's plans as draft orders, idempotently, and let rules approve them.

One open draft per customer: re-running for the same `as_of` leaves an unchanged draft
untouched and updates a changed one in place (never a second draft).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from restock.replenish.orders import queries
from restock.replenish.orders.approval import approve_order
from restock.replenish.orders.auto_approve import DraftFacts, LineFacts, Rule, evaluate
from restock.replenish.orders.consolidate import CustomerPlan
from restock.replenish.orders.queries import Conn
from restock.replenish.policy import PointState

log = logging.getLogger(__name__)

JOB_ACTOR = "job"


@dataclass(frozen=True, slots=True, kw_only=True)
class SensorHealth:
    status: str | None
    battery: float | None
    last_seen: datetime | None


@dataclass(frozen=True, slots=True, kw_only=True)
class DraftOutcome:
    order_id: int
    created: bool
    changed: bool
    approved: bool
    waiting_reasons: tuple[str, ...]


def save_draft(conn: Conn, plan: CustomerPlan, *, as_of: datetime) -> tuple[int, bool, bool]:
    """Insert or update the customer's open draft; returns (order id, created, changed)."""
    lines = [
        (ln.stock_point_id, ln.quantity, ln.unit_cost, ln.reason, ln.reasoning) for ln in plan.lines
    ]
    wanted = {ln.stock_point_id: ln.quantity for ln in plan.lines}
    with conn.transaction():
        order_id = queries.open_draft(conn, plan.customer_id)
        created = order_id is None
        if order_id is None:
            order_id = queries.insert_order(
                conn,
                customer_id=plan.customer_id,
                as_of=as_of,
                deliver_at=plan.deliver_at,
                on_visit=plan.on_planned_visit,
            )
        elif queries.line_quantities(conn, order_id) == wanted:
            return order_id, False, False
        else:
            queries.update_draft_header(
                conn,
                order_id,
                as_of=as_of,
                deliver_at=plan.deliver_at,
                on_visit=plan.on_planned_visit,
            )
        queries.replace_lines(conn, order_id, lines)
        queries.add_event(
            conn,
            order_id,
            at=as_of,
            actor=JOB_ACTOR,
            action="drafted" if created else "redrafted",
            detail={"lines": len(lines), "value": plan.value},
        )
        return order_id, created, True


def draft_facts(
    plan: CustomerPlan,
    *,
    segment: str,
    points: Mapping[int, PointState],
    health: Mapping[int, SensorHealth],
    usual: Mapping[int, float],
) -> DraftFacts:
    """What the auto-approve rules look at for a plan."""
    lines = []
    for ln in plan.lines:
        p = points[ln.stock_point_id]
        h = health.get(ln.stock_point_id, SensorHealth(status=None, battery=None, last_seen=None))
        lines.append(
            LineFacts(
                stock_point_id=ln.stock_point_id,
                product_id=ln.product_id,
                quantity=ln.quantity,
                usual_quantity=usual.get(ln.stock_point_id),
                stockout_p10=p.stockout_p10,
                stockout_p50=p.stockout_p50,
                stockout_p90=p.stockout_p90,
                sensor_status=h.status,
                battery=h.battery,
                last_seen=h.last_seen,
            )
        )
    return DraftFacts(
        customer_id=plan.customer_id, segment=segment, value=plan.value, lines=tuple(lines)
    )


def draft_and_judge(
    conn: Conn,
    plan: CustomerPlan,
    *,
    as_of: datetime,
    facts: DraftFacts,
    rules: Sequence[Rule],
) -> DraftOutcome:
    """Save the draft, then approve it by rule or record why it waits."""
    order_id, created, changed = save_draft(conn, plan, as_of=as_of)
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
    if queries.set_waiting(conn, order_id, verdict.failures):
        queries.add_event(
            conn,
            order_id,
            at=as_of,
            actor=JOB_ACTOR,
            action="waiting",
            detail={"reasons": list(verdict.failures)},
        )
    return DraftOutcome(
        order_id=order_id,
        created=created,
        changed=changed,
        approved=False,
        waiting_reasons=verdict.failures,
    )
