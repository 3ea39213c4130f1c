"""The pages' router: sign-in, the planner's workbench and oversight pages, the rep's
day, triggers and rules, local API docs, and a page (not JSON) for any unknown /ui path."""

from __future__ import annotations

from fastapi import APIRouter

from restock.api.errors import NotFound
from restock.api.pages import (
    docs,
    oversight,
    rep_day,
    rules_page,
    sign_in,
    triggers_page,
    workbench,
)
from restock.api.pages.page_route import PageRoute

router = APIRouter(include_in_schema=False)
for module in (sign_in, workbench, rep_day, triggers_page, rules_page, oversight, docs):
    router.include_router(module.router)

unknown = APIRouter(prefix="/ui", include_in_schema=False, route_class=PageRoute)


@unknown.get("/{path:path}")
async def no_such_page(path: str) -> None:
    raise NotFound(f"there is no page /ui/{path}")


router.include_router(unknown)
