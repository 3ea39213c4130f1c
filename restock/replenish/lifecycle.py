"""The one lifecycle of orders, visits and triggers: their states, the actions that move
them, and what an order's move does to its visit and triggers. Pure.

    order:   draft ──approve──▶ approved ──send──▶ sent ──deliver──▶ delivered
               │  ╰─edit/redraft─╯  │ ╰─────deliver────────────────────▲
               ├──reject──▶ rejected │ cancel (approved, sent) ──▶ cancelled
               ╰──withdraw (no longer needed) ──▶ cancelled
    visit:   planned ──make──▶ done;  planned ──cancel──▶ cancelled;  planned ──miss──▶ missed
    trigger: open ──acknowledge──▶ acknowledged;  open, acknowledged ──complete──▶ completed
             open, acknowledged ──cancel──▶ cancelled

The database enforces the same states (CHECK constraints) and the uniqueness of what
is open (partial unique indexes: one draft per customer, one open order per visit, one
planned visit per customer and day, one unresolved trigger per purpose and subject);
the adapters call `move` before every change and record it in the audit trail.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from restock.replenish.errors import InvalidTransition


class OrderStatus(StrEnum):
    draft = "draft"
    approved = "approved"
    sent = "sent"
    delivered = "delivered"
    rejected = "rejected"
    cancelled = "cancelled"


class VisitStatus(StrEnum):
    planned = "planned"
    done = "done"
    cancelled = "cancelled"
    missed = "missed"


class TriggerStatus(StrEnum):
    open = "open"
    acknowledged = "acknowledged"
    completed = "completed"
    cancelled = "cancelled"


class Entity(StrEnum):
    order = "order"
    visit = "visit"
    trigger = "trigger"


Ord, Vis, Trg = OrderStatus, VisitStatus, TriggerStatus

# (entity, from status, action) → to status
TRANSITIONS: Mapping[tuple[Entity, str, str], str] = {
    (Entity.order, Ord.draft, "redraft"): Ord.draft,
    (Entity.order, Ord.draft, "edit"): Ord.draft,
    (Entity.order, Ord.draft, "approve"): Ord.approved,
    (Entity.order, Ord.draft, "reject"): Ord.rejected,
    (Entity.order, Ord.draft, "withdraw"): Ord.cancelled,
    (Entity.order, Ord.approved, "send"): Ord.sent,
    (Entity.order, Ord.approved, "deliver"): Ord.delivered,
    (Entity.order, Ord.sent, "deliver"): Ord.delivered,
    (Entity.order, Ord.approved, "cancel"): Ord.cancelled,
    (Entity.order, Ord.sent, "cancel"): Ord.cancelled,
    (Entity.visit, Vis.planned, "replan"): Vis.planned,
    (Entity.visit, Vis.planned, "make"): Vis.done,
    (Entity.visit, Vis.planned, "cancel"): Vis.cancelled,
    (Entity.visit, Vis.planned, "miss"): Vis.missed,
    (Entity.trigger, Trg.open, "acknowledge"): Trg.acknowledged,
    (Entity.trigger, Trg.open, "complete"): Trg.completed,
    (Entity.trigger, Trg.acknowledged, "complete"): Trg.completed,
    (Entity.trigger, Trg.open, "cancel"): Trg.cancelled,
    (Entity.trigger, Trg.acknowledged, "cancel"): Trg.cancelled,
}

OPEN_ORDER = frozenset({Ord.draft, Ord.approved, Ord.sent})
ON_ITS_WAY = frozenset({Ord.approved, Ord.sent})
UNRESOLVED_TRIGGER = frozenset({Trg.open, Trg.acknowledged})


def allowed(entity: Entity, status: str, action: str) -> bool:
    return (entity, status, action) in TRANSITIONS


def move(entity: Entity, entity_id: int, status: str, action: str) -> str:
    """The status `action` takes a `entity` in `status` to; raises InvalidTransition."""
    try:
        return TRANSITIONS[(entity, status, action)]
    except KeyError:
        raise InvalidTransition(entity.value, entity_id, status, action) from None


PAST: Mapping[str, str] = {
    "draft": "drafted", "plan": "planned", "redraft": "redrafted", "edit": "edited",
    "approve": "approved", "reject": "rejected", "withdraw": "withdrawn", "send": "sent",
    "deliver": "delivered",
    "cancel": "cancelled", "replan": "replanned", "make": "made", "miss": "missed",
    "acknowledge": "acknowledged", "complete": "completed", "raise": "raised",
}  # fmt: skip


def done(action: str) -> str:
    """How the audit trail names `action` once done ("approve" → "approved")."""
    return PAST.get(action, action)


def actions(entity: Entity, status: str) -> tuple[str, ...]:
    """What may be done to a `entity` in `status`, in TRANSITIONS order."""
    return tuple(a for (e, s, a) in TRANSITIONS if e is entity and s == status)


@dataclass(frozen=True, slots=True, kw_only=True)
class Cascade:
    """What an order's move does to the rest: `visit` is the action on its delivery
    visit (None: nothing), `triggers` the action on its unresolved triggers."""

    visit: str | None
    triggers: str | None


CASCADES: Mapping[str, Cascade] = {
    "reject": Cascade(visit="cancel", triggers="cancel"),
    "withdraw": Cascade(visit="cancel", triggers="cancel"),
    "cancel": Cascade(visit="cancel", triggers="cancel"),
    "deliver": Cascade(visit="make", triggers="complete"),
}
NO_CASCADE = Cascade(visit=None, triggers=None)


def cascade(order_action: str) -> Cascade:
    """What `order_action` does to the order's delivery visit and triggers. A delivery
    visit that has other purposes too (a cadence visit, another order) is kept: only
    the order's purpose is removed from it."""
    return CASCADES.get(order_action, NO_CASCADE)
