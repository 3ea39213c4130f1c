"""The visit log: a rep checks in at a customer, and at check-out records the outcome,
notes and the next action. Kept per customer, so whoever takes a customer over reads
what happened before (the customer's knowledge is one shared record, not a rep's memory).

Functions take a connection, the rep or visit, the actor and the time; the caller owns
nothing else (each is one transaction). Raises CustomerNotFound (not the rep's customer),
VisitLogNotFound, VisitLogConflict, InvalidVisitLog.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from restock.core.db import Conn
from restock.replenish.errors import (
    CustomerNotFound,
    InvalidTransition,
    NotAllowedYet,
    ReplenishError,
    RepNotFound,
    TriggerNotFound,
)
from restock.replenish.triggers import service as triggers_service
from restock.replenish.visits import visit_queries as q
from restock.replenish.visits.service import record_visit

OUTCOMES = {
    "delivered": "Delivered",
    "order_taken": "Order taken",
    "proposal_made": "Proposal made",
    "information": "Information gathered",
    "follow_up": "Needs a follow-up",
    "no_contact": "Nobody to meet / closed",
}
MAX_NOTES = 4000
MAX_NEXT_ACTION = 500


class VisitLogNotFound(ReplenishError):
    def __init__(self, entry_id: int) -> None:
        super().__init__(f"visit log entry {entry_id} does not exist")
        self.entry_id = entry_id


class VisitLogConflict(ReplenishError):
    """Checked in elsewhere already, or checking out a visit that is over."""


class InvalidVisitLog(ReplenishError):
    """An unknown outcome, notes too long; the message says which."""


@dataclass(frozen=True, slots=True, kw_only=True)
class VisitEntry:
    """One visit: open while checked_out_at is None."""

    id: int
    customer_id: str
    rep_id: str
    checked_in_at: datetime
    checked_out_at: datetime | None
    outcome: str | None
    notes: str
    next_action: str
    next_action_due: date | None
    checked_in_by: str
    checked_out_by: str | None

    @property
    def open(self) -> bool:
        return self.checked_out_at is None

    @property
    def outcome_label(self) -> str:
        return OUTCOMES.get(self.outcome or "", "in progress")

    @classmethod
    def from_row(cls, row: Any) -> VisitEntry:
        """From a row in visit_queries.VISIT_COLUMNS order."""
        return cls(
            id=int(row[0]),
            customer_id=row[1],
            rep_id=row[2],
            checked_in_at=row[3],
            checked_out_at=row[4],
            outcome=row[5],
            notes=row[6],
            next_action=row[7],
            next_action_due=row[8],
            checked_in_by=row[9],
            checked_out_by=row[10],
        )


def check_in(conn: Conn, *, rep_id: str, customer_id: str, at: datetime, actor: str) -> VisitEntry:
    """The rep arrives at their customer. Checking in again where the rep already is
    returns that visit. Raises CustomerNotFound (not the rep's customer), VisitLogConflict
    (checked in at another customer: check out there first)."""
    with conn.transaction():
        owner = q.customer_owner(conn, customer_id)
        if owner is None or owner[0] != rep_id:
            raise CustomerNotFound(customer_id, rep_id)
        current = q.open_visit_of_rep(conn, rep_id, lock=True)
        if current is not None:
            entry = VisitEntry.from_row(current)
            if entry.customer_id == customer_id:
                return entry
            raise VisitLogConflict(
                f"rep {rep_id!r} is checked in at {entry.customer_id!r} (visit {entry.id});"
                " check out there first"
            )
        return VisitEntry.from_row(
            q.insert_check_in(conn, customer_id=customer_id, rep_id=rep_id, at=at, actor=actor)
        )


def check_out(
    conn: Conn,
    visit_id: int,
    *,
    outcome: str,
    notes: str = "",
    next_action: str = "",
    next_action_due: date | None = None,
    completed_triggers: Sequence[int] = (),
    at: datetime,
    actor: str,
    rep: str | None = None,
) -> VisitEntry:
    """The rep leaves: the outcome, notes and next action are kept; the customer's
    planned visit that day is done (so its cadence counts from it), and the triggers the
    visit dealt with (`completed_triggers`, the customer's own) are completed.
    `rep`: when given, only that rep's visit may be closed.
    Raises VisitLogNotFound, VisitLogConflict (already checked out), InvalidVisitLog."""
    if outcome not in OUTCOMES:
        raise InvalidVisitLog(f"outcome must be one of {', '.join(OUTCOMES)}, got {outcome!r}")
    if len(notes) > MAX_NOTES or len(next_action) > MAX_NEXT_ACTION:
        raise InvalidVisitLog(
            f"notes are limited to {MAX_NOTES} characters and the next action to {MAX_NEXT_ACTION}"
        )
    with conn.transaction():
        row = q.visit_row(conn, visit_id, lock=True)
        if row is None or (rep is not None and row[2] != rep):
            raise VisitLogNotFound(visit_id)
        entry = VisitEntry.from_row(row)
        if not entry.open:
            raise VisitLogConflict(f"visit {visit_id} was checked out already")
        done = q.set_check_out(
            conn,
            visit_id,
            at=max(at, entry.checked_in_at),
            outcome=outcome,
            notes=notes.strip(),
            next_action=next_action.strip(),
            next_action_due=next_action_due,
            actor=actor,
        )
        recorded = False  # completing a trigger records the visit itself
        for trigger_id in completed_triggers:
            trigger = triggers_service.get_trigger(conn, trigger_id)
            if trigger.customer_id != entry.customer_id:
                raise TriggerNotFound(trigger_id)
            with suppress(InvalidTransition, NotAllowedYet):  # done meanwhile, or not yet due
                triggers_service.complete_trigger(conn, trigger_id, actor=actor, at=at)
                recorded = True
        if not recorded:
            with suppress(CustomerNotFound, RepNotFound):  # the customer moved on meanwhile
                record_visit(conn, entry.rep_id, entry.customer_id, at=entry.checked_in_at)
    return VisitEntry.from_row(done)


def get_visit(conn: Conn, visit_id: int) -> VisitEntry:
    """Raises VisitLogNotFound."""
    row = q.visit_row(conn, visit_id)
    if row is None:
        raise VisitLogNotFound(visit_id)
    return VisitEntry.from_row(row)


def open_visit(conn: Conn, rep_id: str) -> VisitEntry | None:
    """Where the rep is checked in now, if anywhere."""
    row = q.open_visit_of_rep(conn, rep_id)
    return None if row is None else VisitEntry.from_row(row)


def customer_history(conn: Conn, customer_id: str, *, limit: int = 50) -> list[VisitEntry]:
    """The customer's visits, newest first, whichever rep made them."""
    return [VisitEntry.from_row(r) for r in q.customer_visits(conn, customer_id, limit)]


def last_next_action(history: Sequence[VisitEntry]) -> VisitEntry | None:
    """The newest finished visit that left a next action, from `customer_history`."""
    return next((v for v in history if not v.open and v.next_action), None)
