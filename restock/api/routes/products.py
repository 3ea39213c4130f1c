"""Products: everyone but devices reads; staff edit."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from restock.api.deps import Conn, PageDep, Reader, Staff
from restock.api.errors import AUTH_RESPONSES, CONFLICT, NOT_FOUND
from restock.api.queries import products as q
from restock.api.routes import V1
from restock.api.schemas.domain import Product, ProductCreate, ProductUpdate
from restock.api.schemas.fields import Id

router = APIRouter(prefix=V1 + "/products", tags=["products"], responses=AUTH_RESPONSES)

ProductId = Annotated[Id, Path(description="Product id")]


@router.get("", response_model=list[Product])
async def list_products(conn: Conn, _: Reader, page: PageDep) -> list[dict[str, object]]:
    """List products."""
    return await q.list_products(conn, limit=page.limit, offset=page.offset)


@router.get("/{product_id}", response_model=Product, responses=NOT_FOUND)
async def get_product(conn: Conn, _: Reader, product_id: ProductId) -> dict[str, object]:
    """One product."""
    return await q.get_product(conn, product_id)


@router.post("", response_model=Product, status_code=201, responses=CONFLICT)
async def create_product(conn: Conn, _: Staff, body: ProductCreate) -> dict[str, object]:
    """Create a product (pack size, MOQ, lead time, unit cost)."""
    return await q.create_product(conn, body.model_dump(exclude_unset=True))


@router.patch("/{product_id}", response_model=Product, responses=NOT_FOUND)
async def update_product(
    conn: Conn, _: Staff, product_id: ProductId, body: ProductUpdate
) -> dict[str, object]:
    """Change a product's fields."""
    return await q.update_product(conn, product_id, body.model_dump(exclude_unset=True))
