"""Messages ingest refused, kept with their reasons (staff only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import Field

from restock.api.deps import Conn, PageDep, Staff
from restock.api.errors import AUTH_RESPONSES
from restock.api.queries import rejected as q
from restock.api.routes import V1
from restock.api.schemas.data import RejectedMessage, RejectionCount
from restock.api.schemas.fields import Id
from restock.api.schemas.params import BoolParam

router = APIRouter(
    prefix=V1 + "/rejected-messages", tags=["rejected messages"], responses=AUTH_RESPONSES
)

# ingest's reason codes (bad_json, unknown_sensor, ...): not enumerated here, so that a
# new one is listed without an API change
Reason = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_]+$")]


@router.get("", response_model=list[RejectedMessage])
async def list_rejected(
    conn: Conn,
    _: Staff,
    page: PageDep,
    reason: Annotated[Reason | None, Query()] = None,
    sensor_id: Annotated[Id | None, Query()] = None,
    pending: Annotated[BoolParam | None, Query(description="Only not yet replayed")] = None,
) -> list[dict[str, object]]:
    """Rejected messages, newest first."""
    return await q.list_rejected(
        conn,
        reason=reason,
        sensor=sensor_id,
        pending=pending,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/summary", response_model=list[RejectionCount])
async def rejection_summary(conn: Conn, _: Staff) -> list[dict[str, object]]:
    """How many messages were rejected for each reason, and how many still wait."""
    return await q.rejection_summary(conn)
