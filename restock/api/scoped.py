"""Replenishment's orders, visit triggers and routes seen through a rep's scope: a rep
reads and works only their own customers'; staff see everyone's.

Replenishment (restock.replenish) owns these and is blocking code, so everything here
takes a blocking connection and the routes calling it are plain `def` (run in FastAPI's
threadpool; see restock.api.deps).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from restock.api.auth import Principal
from restock.api.errors import Forbidden, NotFound
from restock.api.schemas.replenish import BulkFailure, BulkResult
from restock.core.db import Conn
from restock.replenish.model import Order, Trigger
from restock.replenish.orders import approval
from restock.replenish.triggers import service as triggers
from restock.replenish.visits import routes
from restock.replenish.visits import service as visits
from restock.replenish.visits.routing import RoutePlan


def rep_filter(caller: Principal, requested: str | None) -> str | None:
    """The rep a list is filtered to: a rep's own (a rep asking for another rep's gets
    403), else the one `requested`, or None for everyone."""
    mine = caller.scope_rep
    if mine is not None and requested is not None and requested != mine:
        raise Forbidden(f"a rep token reads only rep {mine!r}'s data, not {requested!r}'s")
    return mine or requested


def order_in_scope(conn: Conn, order_id: int, *, rep: str | None) -> Order:
    """The order; raises OrderNotFound, or NotFound when it is not `rep`'s customer's."""
    order = approval.get_order(conn, order_id)
    if rep is not None and order.rep_id != rep:
        raise NotFound(f"order {order_id} not found")
    return order


def bulk_approve(conn: Conn, order_ids: Sequence[int], *, actor: str, at: datetime) -> BulkResult:
    """Approve each order; the response lists approved ids and failures with reasons."""
    result = approval.bulk_approve(conn, order_ids, actor=actor, at=at)
    return BulkResult(
        approved=list(result.approved),
        failed=[BulkFailure(order_id=i, error=e) for i, e in result.failed],
    )


def trigger_in_scope(conn: Conn, trigger_id: int, *, rep: str | None) -> Trigger:
    """The trigger; raises TriggerNotFound, or NotFound when it is not `rep`'s (a
    trigger follows its customer to a new rep)."""
    trigger = triggers.get_trigger(conn, trigger_id)
    if rep is not None and trigger.rep_id != rep:
        raise NotFound(f"visit trigger {trigger_id} not found")
    return trigger


def acknowledge(
    conn: Conn, trigger_id: int, *, rep: str | None, actor: str, at: datetime
) -> Trigger:
    trigger_in_scope(conn, trigger_id, rep=rep)
    return triggers.acknowledge_trigger(conn, trigger_id, actor=actor, at=at)


def complete(conn: Conn, trigger_id: int, *, rep: str | None, actor: str, at: datetime) -> Trigger:
    trigger_in_scope(conn, trigger_id, rep=rep)
    return triggers.complete_trigger(conn, trigger_id, actor=actor, at=at)


def route_in_scope(conn: Conn, rep_id: str, day: date, *, rep: str | None) -> RoutePlan:
    """The stored route; NotFound for another rep's, RouteNotFound if none is planned."""
    if rep is not None and rep_id != rep:
        raise NotFound(f"no route for rep {rep_id!r} on {day.isoformat()}")
    return routes.get_route(conn, rep_id, day)


def record_visit(
    conn: Conn, rep_id: str, customer_id: str, *, rep: str | None, at: datetime
) -> int:
    """visits.record_visit; NotFound when a rep records another rep's visit."""
    if rep is not None and rep_id != rep:
        raise NotFound(f"rep {rep_id!r} not found")
    return visits.record_visit(conn, rep_id, customer_id, at=at)
