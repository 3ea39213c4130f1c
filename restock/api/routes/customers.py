"""Customers: everyone but devices reads (reps only their own); staff edit."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from restock.api.deps import Conn, PageDep, Reader, Staff
from restock.api.errors import AUTH_RESPONSES, CONFLICT, NOT_FOUND
from restock.api.queries import customers as q
from restock.api.routes import V1
from restock.api.schemas.domain import Customer, CustomerCreate, CustomerUpdate
from restock.api.schemas.fields import Id, Segment

router = APIRouter(prefix=V1 + "/customers", tags=["customers"], responses=AUTH_RESPONSES)

CustomerId = Annotated[Id, Path(description="Customer id")]


@router.get("", response_model=list[Customer])
async def list_customers(
    conn: Conn, caller: Reader, page: PageDep, segment: Annotated[Segment | None, Query()] = None
) -> list[dict[str, object]]:
    """List customers, optionally by segment (a rep sees only their own)."""
    return await q.list_customers(
        conn, rep=caller.scope_rep, segment=segment, limit=page.limit, offset=page.offset
    )


@router.get("/{customer_id}", response_model=Customer, responses=NOT_FOUND)
async def get_customer(conn: Conn, caller: Reader, customer_id: CustomerId) -> dict[str, object]:
    """One customer."""
    return await q.get_customer(conn, customer_id, rep=caller.scope_rep)


@router.post("", response_model=Customer, status_code=201, responses=CONFLICT)
async def create_customer(conn: Conn, _: Staff, body: CustomerCreate) -> dict[str, object]:
    """Create a customer."""
    return await q.create_customer(conn, body.model_dump(exclude_unset=True))


@router.patch("/{customer_id}", response_model=Customer, responses=NOT_FOUND)
async def update_customer(
    conn: Conn, _: Staff, customer_id: CustomerId, body: CustomerUpdate
) -> dict[str, object]:
    """Change a customer's fields (segment, rep, location, time zone, opening hours, ...)."""
    return await q.update_customer(conn, customer_id, body.model_dump(exclude_unset=True))
