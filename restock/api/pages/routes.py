"""The pages. Sign-in takes an API token and keeps it in an HttpOnly, SameSite=Strict
cookie; every page then acts with that token's role, exactly like the API does."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qs

from fastapi import APIRouter, Cookie, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from restock.api import scoped
from restock.api.auth import Principal, Role
from restock.api.deps import BlockingConn, ClockDep, Conn
from restock.api.errors import Forbidden, NotFound, Unauthorized
from restock.api.pages.html import button, cell, page, table
from restock.api.queries import orders as q
from restock.api.queries import triggers as tq
from restock.api.queries.tokens import principal_for
from restock.replenish.orders import approval

router = APIRouter(prefix="/ui", include_in_schema=False)
COOKIE = "restock_token"


async def signed_in(conn: Conn, restock_token: Annotated[str | None, Cookie()] = None) -> Principal:
    principal = await principal_for(conn, restock_token) if restock_token else None
    if principal is None:
        raise Unauthorized("sign in at /ui with an API token")
    if principal.role is Role.device:
        raise Forbidden("devices have no pages")
    return principal


User = Annotated[Principal, Depends(signed_in)]


async def form_fields(request: Request) -> dict[str, str]:
    """An urlencoded form's fields (first value each), at most 16 kB of it."""
    body = (await request.body())[:16_384].decode("utf-8", errors="replace")
    return {k: v[0] for k, v in parse_qs(body).items()}


Fields = Annotated[dict[str, str], Depends(form_fields)]


@router.get("", response_class=HTMLResponse)
async def sign_in_form() -> str:
    form = (
        "<form method='post' action='/ui/login'><label>API token "
        "<input name='token' size='50' autocomplete='off'></label> <button>Sign in</button>"
        "</form><p class='muted'>Create one with <code>restock token create --role planner"
        "</code> (or <code>--role rep --rep REP</code>).</p>"
    )
    return page("Sign in", form, nav=False)


@router.post("/login")
async def sign_in(conn: Conn, fields: Fields) -> RedirectResponse:
    token = fields.get("token", "")
    principal = await principal_for(conn, token.strip())
    if principal is None:
        raise Unauthorized("the token is unknown or revoked")
    target = "/ui/triggers" if principal.role is Role.rep else "/ui/orders"
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(COOKIE, token.strip(), httponly=True, samesite="strict")
    return response


@router.post("/logout")
async def sign_out() -> RedirectResponse:
    response = RedirectResponse("/ui", status_code=303)
    response.delete_cookie(COOKIE)
    return response


@router.get("/orders", response_class=HTMLResponse)
async def order_queue(conn: Conn, user: User) -> str:
    rows = await q.order_queue(conn, status="draft", customer=None, rep=user.scope_rep,
                               limit=200, offset=0)  # fmt: skip
    staff = user.role in (Role.admin, Role.planner)

    def actions(order_id: int) -> str:
        if not staff:
            return ""
        reject = "<input name='reason' placeholder='reason' size='12'>"
        return (
            button(f"/ui/orders/{order_id}/approve", "Approve")
            + " "
            + button(f"/ui/orders/{order_id}/reject", "Reject", reject)
        )

    body = table(
        ["Order", "Customer", "Segment", "Rep", "Deliver by", "Lines", "Value", "Waiting for", ""],
        (
            [
                cell(r["id"]),
                cell(r["customer_name"]),
                cell(r["segment"]),
                cell(r["rep_id"]),
                cell(f"{r['deliver_at']:%Y-%m-%d %H:%M}"),
                cell(r["lines"]),
                cell(f"{r['value']:,.0f}"),
                cell("; ".join(r["waiting_reasons"])),
                actions(int(r["id"])),
            ]
            for r in rows
        ),
        "No draft orders waiting.",
    )
    return page("Draft orders", body)


@router.post("/orders/{order_id}/approve")
def approve(conn: BlockingConn, user: User, clock: ClockDep, order_id: int) -> RedirectResponse:
    if user.role not in (Role.admin, Role.planner):
        raise Forbidden("only planners approve orders")
    approval.approve_order(conn, order_id, actor=user.actor, at=clock.now())
    return RedirectResponse("/ui/orders", status_code=303)


@router.post("/orders/{order_id}/reject")
def reject(
    conn: BlockingConn,
    user: User,
    clock: ClockDep,
    order_id: int,
    fields: Fields,
) -> RedirectResponse:
    if user.role not in (Role.admin, Role.planner):
        raise Forbidden("only planners reject orders")
    reason = fields.get("reason", "")[:1000]
    approval.reject_order(conn, order_id, actor=user.actor, at=clock.now(), reason=reason)
    return RedirectResponse("/ui/orders", status_code=303)


@router.get("/triggers", response_class=HTMLResponse)
async def triggers(conn: Conn, user: User) -> str:
    found = await tq.list_triggers(conn, rep=user.scope_rep, statuses=("open", "acknowledged"),
                                   limit=200, offset=0)  # fmt: skip

    def actions(trigger_id: int, status: str) -> str:
        ack = button(f"/ui/triggers/{trigger_id}/acknowledge", "Seen") if status == "open" else ""
        return ack + " " + button(f"/ui/triggers/{trigger_id}/complete", "Visited")

    body = table(
        ["Due by", "Customer", "Purpose", "Priority", "Rep", "Status", ""],
        (
            [
                cell(f"{t['due_by']:%Y-%m-%d %H:%M}"),
                cell(t["customer_id"]),
                cell(t["purpose"]),
                cell(t["priority"]),
                cell(t["rep_id"]),
                cell(t["status"]),
                actions(int(t["id"]), t["status"]),
            ]
            for t in found
        ),
        "Nothing to visit right now.",
    )
    return page("Visit triggers", body)


@router.post("/triggers/{trigger_id}/{action}")
def work_trigger(
    conn: BlockingConn, user: User, clock: ClockDep, trigger_id: int, action: str
) -> RedirectResponse:
    moves = {"acknowledge": scoped.acknowledge, "complete": scoped.complete}
    if action not in moves:
        raise NotFound(f"no action {action!r}")
    moves[action](conn, trigger_id, rep=user.scope_rep, actor=user.actor, at=clock.now())
    return RedirectResponse("/ui/triggers", status_code=303)
