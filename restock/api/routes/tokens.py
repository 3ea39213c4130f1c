"""API tokens: who am I (any token); issue, list and revoke (admin: blocking code shared
with `restock token`, on a BlockingConn)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from restock.api import auth
from restock.api.deps import AdminOnly, BlockingConn, Caller, ClockDep
from restock.api.errors import AUTH_RESPONSES, NOT_FOUND
from restock.api.routes import V1
from restock.api.schemas.fields import Id, Strict
from restock.api.schemas.params import BigIdPath
from restock.api.schemas.times import Instant

router = APIRouter(prefix=V1, tags=["tokens"], responses=AUTH_RESPONSES)


class Me(BaseModel):
    token_id: int
    role: auth.Role
    rep_id: str | None


class TokenInfo(BaseModel):
    id: int
    role: auth.Role
    rep_id: str | None
    name: str
    created_at: Instant
    revoked_at: Instant | None


class TokenRequest(Strict):
    role: Annotated[auth.Role, Field(strict=False)]  # strict enums take only members
    rep_id: Id | None = None
    name: Annotated[str, Field(max_length=200, pattern=r"^[^\x00]*$")] = ""


class NewToken(BaseModel):
    id: int
    token: str = Field(description="Shown once; only its hash is kept")
    role: auth.Role
    rep_id: str | None


@router.get("/me", response_model=Me)
async def who_am_i(caller: Caller) -> Me:
    """The role (and rep) the presented token stands for."""
    return Me(token_id=caller.token_id, role=caller.role, rep_id=caller.rep_id)


@router.get("/tokens", response_model=list[TokenInfo])
def list_tokens(conn: BlockingConn, _: AdminOnly) -> list[dict[str, object]]:
    """Every token's role, rep and state (never the token itself)."""
    return auth.list_tokens(conn)


@router.post("/tokens", response_model=NewToken, status_code=201)
def create_token(conn: BlockingConn, _: AdminOnly, body: TokenRequest) -> NewToken:
    """Issue a token; a rep token needs `rep_id`."""
    issued = auth.create_token(conn, body.role, rep_id=body.rep_id, name=body.name)
    return NewToken(id=issued.id, token=issued.token, role=issued.role, rep_id=issued.rep_id)


@router.delete("/tokens/{token_id}", status_code=204, responses=NOT_FOUND)
def revoke_token(
    conn: BlockingConn,
    _: AdminOnly,
    clock: ClockDep,
    token_id: Annotated[BigIdPath, Path(description="Token id")],
) -> None:
    """Revoke a token; it stops working at once."""
    auth.revoke_token(conn, token_id, clock.now())
