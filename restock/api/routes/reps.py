"""Reps: staff read all, a rep reads only themself; admins create and edit."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from restock.api.deps import AdminOnly, Conn, PageDep, Reader
from restock.api.errors import AUTH_RESPONSES, CONFLICT, NOT_FOUND
from restock.api.queries import reps as q
from restock.api.routes import V1
from restock.api.schemas.domain import Rep, RepCreate, RepUpdate
from restock.api.schemas.fields import Id

router = APIRouter(prefix=V1 + "/reps", tags=["reps"], responses=AUTH_RESPONSES)

RepId = Annotated[Id, Path(description="Rep id")]


@router.get("", response_model=list[Rep])
async def list_reps(conn: Conn, caller: Reader, page: PageDep) -> list[dict[str, object]]:
    """List reps (a rep sees only themself)."""
    return await q.list_reps(conn, rep=caller.scope_rep, limit=page.limit, offset=page.offset)


@router.get("/{rep_id}", response_model=Rep, responses=NOT_FOUND)
async def get_rep(conn: Conn, caller: Reader, rep_id: RepId) -> dict[str, object]:
    """One rep."""
    return await q.get_rep(conn, rep_id, rep=caller.scope_rep)


@router.post("", response_model=Rep, status_code=201, responses=CONFLICT)
async def create_rep(conn: Conn, _: AdminOnly, body: RepCreate) -> dict[str, object]:
    """Create a rep."""
    return await q.create_rep(conn, body.model_dump(exclude_unset=True))


@router.patch("/{rep_id}", response_model=Rep, responses=NOT_FOUND)
async def update_rep(conn: Conn, _: AdminOnly, rep_id: RepId, body: RepUpdate) -> dict[str, object]:
    """Change a rep's name, depot, working hours and days, or time zone."""
    return await q.update_rep(conn, rep_id, body.model_dump(exclude_unset=True))
