"""Visit triggers and routes seen through a rep's scope: a rep reads and works only
their own; staff see everyone's. Replenishment owns both (restock.replenish)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from restock.api.errors import NotFound
from restock.api.queries.rows import Conn
from restock.replenish import route_store, triggers_job
from restock.replenish.routes import RoutePlan
from restock.replenish.triggers_job import Trigger


def triggers_in_scope(
    conn: Conn, *, rep: str | None, rep_filter: str | None, statuses: Sequence[str]
) -> list[Trigger]:
    """A rep's own triggers; staff see all, or one rep's with `rep_filter`."""
    return triggers_job.list_triggers(conn, rep_id=rep or rep_filter, statuses=statuses)


def trigger_in_scope(conn: Conn, trigger_id: int, *, rep: str | None) -> Trigger:
    trigger = triggers_job.get_trigger(conn, trigger_id)
    if rep is not None and trigger.rep_id != rep:
        raise NotFound(f"visit trigger {trigger_id} not found")
    return trigger


def acknowledge(
    conn: Conn, trigger_id: int, *, rep: str | None, actor: str, at: datetime
) -> Trigger:
    trigger_in_scope(conn, trigger_id, rep=rep)
    return triggers_job.acknowledge_trigger(conn, trigger_id, actor=actor, at=at)


def complete(conn: Conn, trigger_id: int, *, rep: str | None, actor: str, at: datetime) -> Trigger:
    trigger_in_scope(conn, trigger_id, rep=rep)
    return triggers_job.complete_trigger(conn, trigger_id, actor=actor, at=at)


def route_in_scope(conn: Conn, rep_id: str, day: date, *, rep: str | None) -> RoutePlan:
    """The stored route; NotFound for another rep's, RouteNotFound if none is planned."""
    if rep is not None and rep_id != rep:
        raise NotFound(f"no route for rep {rep_id!r} on {day.isoformat()}")
    return route_store.get_route(conn, rep_id, day)
