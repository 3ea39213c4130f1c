"""The visit log and visit briefs over the API: a rep checks in at their customer and
checks out with the outcome, notes and next action; anyone who may see the customer
(its rep, staff) reads its visit history and the brief for a visit today.

Blocking code (restock.replenish.visits), so the routes are plain `def`."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path
from pydantic import Field

from restock.api.deps import BlockingConn, ClockDep, Reader, RepOnly, SettingsDep
from restock.api.errors import AUTH_RESPONSES, CONFLICT, NOT_FOUND, NotFound
from restock.api.routes import V1
from restock.api.schemas.fields import NO_NUL, BigId, Id, Strict
from restock.api.schemas.params import BigIdPath
from restock.api.schemas.replenish import VisitEntry
from restock.api.schemas.times import Day
from restock.core.db import Conn
from restock.replenish.segments import ReplenishConfig
from restock.replenish.visits import visit_log, visit_queries
from restock.replenish.visits.brief import Brief, build_brief
from restock.replenish.visits.brief_facts import brief_facts

router = APIRouter(prefix=V1, tags=["visit log"], responses={**AUTH_RESPONSES, **NOT_FOUND})
CustomerId = Annotated[Id, Path(description="Customer id")]
VisitId = Annotated[BigIdPath, Path(description="Visit id")]
Outcome = Literal[
    "delivered", "order_taken", "proposal_made", "information", "follow_up", "no_contact"
]


class CheckOut(Strict):
    outcome: Outcome
    notes: Annotated[str, Field(max_length=visit_log.MAX_NOTES, pattern=NO_NUL)] = ""
    next_action: Annotated[str, Field(max_length=visit_log.MAX_NEXT_ACTION, pattern=NO_NUL)] = ""
    next_action_due: Day | None = None
    completed_triggers: Annotated[list[BigId], Field(max_length=100)] = Field(default_factory=list)


def _customer_in_scope(conn: Conn, customer_id: str, rep: str | None) -> None:
    owner = visit_queries.customer_owner(conn, customer_id)
    if owner is None or (rep is not None and owner[0] != rep):
        raise NotFound(f"customer {customer_id!r} not found")


@router.get("/customers/{customer_id}/visits", response_model=list[VisitEntry])
def customer_visits(
    conn: BlockingConn, caller: Reader, customer_id: CustomerId
) -> list[visit_log.VisitEntry]:
    """The customer's visits, newest first, whichever rep made them."""
    _customer_in_scope(conn, customer_id, caller.scope_rep)
    return visit_log.customer_history(conn, customer_id)


@router.get("/customers/{customer_id}/brief", response_model=Brief)
def visit_brief(
    conn: BlockingConn, caller: Reader, clock: ClockDep, settings: SettingsDep,
    customer_id: CustomerId,
) -> Brief:  # fmt: skip
    """Why visit the customer today, what to deliver, propose and find out, what next."""
    _customer_in_scope(conn, customer_id, caller.scope_rep)
    config = ReplenishConfig.from_settings(settings)
    return build_brief(brief_facts(conn, customer_id, as_of=clock.now(), config=config))


@router.post(
    "/customers/{customer_id}/check-in", response_model=VisitEntry, status_code=201,
    responses=CONFLICT,
)  # fmt: skip
def check_in(
    conn: BlockingConn, caller: RepOnly, clock: ClockDep, customer_id: CustomerId
) -> visit_log.VisitEntry:
    """The rep arrives at their customer (again: the same open visit)."""
    assert caller.rep_id is not None  # a rep token always names its rep
    return visit_log.check_in(
        conn, rep_id=caller.rep_id, customer_id=customer_id, at=clock.now(), actor=caller.actor
    )


@router.post("/visits/{visit_id}/check-out", response_model=VisitEntry, responses=CONFLICT)
def check_out(
    conn: BlockingConn, caller: RepOnly, clock: ClockDep, visit_id: VisitId, body: CheckOut
) -> visit_log.VisitEntry:
    """The rep leaves: outcome, notes and next action are kept with the customer."""
    return visit_log.check_out(
        conn,
        visit_id,
        outcome=body.outcome,
        notes=body.notes,
        next_action=body.next_action,
        next_action_due=body.next_action_due,
        completed_triggers=tuple(body.completed_triggers),
        at=clock.now(),
        actor=caller.actor,
        rep=caller.rep_id,
    )
