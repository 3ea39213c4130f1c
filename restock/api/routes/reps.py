"""Reps: staff read all, a rep reads only themself; admins create and edit."""

from __future__ import annotations

from fastapi import APIRouter

from restock.api.deps import AdminOnly, Conn, PageDep, Reader
from restock.api.errors import AUTH_RESPONSES, CONFLICT, NOT_FOUND
from restock.api.queries import reps as q
from restock.api.routes import V1
from restock.api.schemas.domain import Rep, RepCreate, RepUpdate

router = APIRouter(prefix=V1 + "/reps", tags=["reps"], responses=AUTH_RESPONSES)


@router.get("", response_model=list[Rep])
async def list_reps(conn: Conn, caller: Reader, page: PageDep) -> list[dict[str, object]]:
    """List reps (a rep sees only themself)."""
    return await q.list_reps(conn, rep=caller.scope_rep, limit=page.limit, offset=page.offset)


@router.get("/{rep_id}", response_model=Rep, responses=NOT_FOUND)
async def get_rep(conn: Conn, caller: Reader, rep_id: str) -> dict[str, object]:
    """One rep."""
    return await q.get_rep(conn, rep_id, rep=caller.scope_rep)


@router.post("", response_model=Rep, status_code=201, responses=CONFLICT)
async def create_rep(conn: Conn, _: AdminOnly, body: RepCreate) -> dict[str, object]:
    """Create a rep."""
    return await q.create_rep(conn, body.model_dump(exclude_unset=True))


@router.patch("/{rep_id}", response_model=Rep, responses=NOT_FOUND)
async def update_rep(conn: Conn, _: AdminOnly, rep_id: str, body: RepUpdate) -> dict[str, object]:
    """Change a rep's name, depot or working days."""
    return await q.update_rep(conn, rep_id, body.model_dump(exclude_unset=True))
