"""Visit triggers: a rep sees and works their own; staff see everyone's.

The list is the API's own paged (async) query; one trigger and its changes run
replenishment's blocking code on a BlockingConn."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from restock.api import scoped
from restock.api.deps import BlockingConn, ClockDep, Conn, PageDep, Reader, Staff
from restock.api.errors import AUTH_RESPONSES, CONFLICT, NOT_FOUND
from restock.api.queries import triggers as q
from restock.api.responses import RowsResponse
from restock.api.routes import V1
from restock.api.schemas.fields import Id
from restock.api.schemas.params import BigIdPath
from restock.api.schemas.replenish import Rejection, Trigger, TriggerStatus
from restock.replenish import model
from restock.replenish.triggers import service

router = APIRouter(prefix=V1 + "/triggers", tags=["visit triggers"], responses=AUTH_RESPONSES)

TriggerId = Annotated[BigIdPath, Path(description="Trigger id")]
DEFAULT_STATUSES: list[TriggerStatus] = ["open", "acknowledged"]


@router.get("", response_model=list[Trigger])
async def list_triggers(
    conn: Conn,
    caller: Reader,
    page: PageDep,
    status: Annotated[list[TriggerStatus] | None, Query()] = None,
    rep_id: Annotated[Id | None, Query(description="Staff only: one rep's")] = None,
) -> RowsResponse:
    """Triggers, most urgent first (default: open and acknowledged), a page at a time."""
    rows = await q.list_triggers(
        conn,
        rep=scoped.rep_filter(caller, rep_id),
        statuses=status or DEFAULT_STATUSES,
        limit=page.limit,
        offset=page.offset,
    )
    return RowsResponse(rows)


@router.get("/{trigger_id}", response_model=Trigger, responses=NOT_FOUND)
def get_trigger(conn: BlockingConn, caller: Reader, trigger_id: TriggerId) -> model.Trigger:
    """One trigger: whom to visit, by when, and why."""
    return scoped.trigger_in_scope(conn, trigger_id, rep=caller.scope_rep)


@router.post(
    "/{trigger_id}/acknowledge", response_model=Trigger, responses={**NOT_FOUND, **CONFLICT}
)
def acknowledge_trigger(
    conn: BlockingConn, caller: Reader, clock: ClockDep, trigger_id: TriggerId
) -> model.Trigger:
    """The rep has seen the trigger."""
    return scoped.acknowledge(
        conn, trigger_id, rep=caller.scope_rep, actor=caller.actor, at=clock.now()
    )


@router.post("/{trigger_id}/complete", response_model=Trigger, responses={**NOT_FOUND, **CONFLICT})
def complete_trigger(
    conn: BlockingConn, caller: Reader, clock: ClockDep, trigger_id: TriggerId
) -> model.Trigger:
    """The visit was made; for an order's delivery trigger, the order is delivered (once
    its delivery day has come)."""
    return scoped.complete(
        conn, trigger_id, rep=caller.scope_rep, actor=caller.actor, at=clock.now()
    )


@router.post("/{trigger_id}/cancel", response_model=Trigger, responses={**NOT_FOUND, **CONFLICT})
def cancel_trigger(
    conn: BlockingConn, caller: Staff, clock: ClockDep, trigger_id: TriggerId, body: Rejection
) -> model.Trigger:
    """Cancel a trigger no longer needed, saying why; the rep is told. (An order's
    delivery trigger goes with its order.)"""
    return service.cancel_trigger(
        conn, trigger_id, actor=caller.actor, at=clock.now(), reason=body.reason
    )
