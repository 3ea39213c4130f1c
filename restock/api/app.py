"""The FastAPI application factory: `create_app(settings)`.

The database pools (asyncio connections for the API's own queries, blocking ones for
replenishment's code; see restock.api.deps) are created closed and opened in the
lifespan, so importing this module or building the app touches nothing. Everything but
health, readiness and metrics lives under `/v1` and needs a bearer token.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from restock.api.deps import in_utc
from restock.api.errors import install_error_handlers
from restock.api.metrics import ApiMetrics, MetricsMiddleware
from restock.api.pages import routes as pages
from restock.api.routes import (
    customers,
    forecasts,
    health,
    kpis,
    orders,
    products,
    readings,
    rejected,
    rep_routes,
    reps,
    rules,
    sensors,
    stock_points,
    tokens,
    triggers,
    visit_log,
)
from restock.core.clock import Clock, SystemClock
from restock.core.db import make_async_pool, make_pool
from restock.core.settings import Settings

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "pages" / "static"


# FastAPI tries routers, and their routes, in order for every request, and each route
# tried costs a few microseconds: health (three routes, the probes') and the hot reads
# come first.
ROUTERS = (
    health, triggers, orders, readings, tokens, customers, reps, products, stock_points,
    sensors, forecasts, rejected, rules, rep_routes, visit_log, kpis, pages,
)  # fmt: skip
# The documentation lists resources in this order, whatever the routing order.
TAGS = (
    "health", "tokens", "customers", "reps", "products", "stock points", "sensors",
    "readings", "forecasts", "rejected messages", "orders", "auto-approve rules",
    "visit triggers", "routes", "visit log", "KPIs",
)  # fmt: skip


def create_app(settings: Settings, *, clock: Clock | None = None) -> FastAPI:
    """The API for `settings`' database; `clock` defaults to wall-clock time."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool = make_async_pool(
            settings.database_url,
            min_size=settings.api_pool_min,
            max_size=settings.api_pool_max,
            timeout=settings.api_db_wait_s,
            autocommit=True,
            configure=in_utc,
        )
        blocking_pool = make_pool(
            settings.database_url,
            min_size=1,
            max_size=settings.api_blocking_pool_max,
            timeout=settings.api_db_wait_s,
            autocommit=True,
        )
        await pool.open(wait=False)
        blocking_pool.open(wait=False)
        app.state.pool = pool
        app.state.blocking_pool = blocking_pool
        log.info("API database pools opened for %s", settings.database_url)
        try:
            yield
        finally:
            await pool.close()
            blocking_pool.close()

    app = FastAPI(
        title="restock",
        version="1",
        summary="IoT inventory replenishment for route sales",
        description=(
            "Send `Authorization: Bearer <token>` (create one with `restock token create`)."
            " Roles: admin, planner, rep (sees only their own customers), device."
            ' Every error is `{"error": {"code", "message", "details"}}`; a 422 names each'
            " field. Times: every date-time sent needs an offset (Z, +09:00), 1970 to 2199."
            " Every date-time answered has one: an instant (`x-restock-time: instant`) is in"
            " UTC, ending in Z; a local business time (`local`: a route's times, an order's"
            " delivery) has the offset of the zone named by the response's `time_zone`"
            " (the rep's, the customer's). Times of day (HH:MM) are wall-clock in the"
            " customer's or rep's `time_zone`."
        ),
        openapi_tags=[{"name": tag} for tag in TAGS],
        lifespan=lifespan,
        # Swagger UI from the package's own assets (restock.api.pages.docs), not a CDN
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.clock = clock or SystemClock()
    app.state.metrics = ApiMetrics()
    app.add_middleware(MetricsMiddleware, metrics=app.state.metrics)
    install_error_handlers(app)
    # before the pages' router, whose catch-all answers unknown /ui paths
    app.mount("/ui/static", StaticFiles(directory=STATIC), name="static")
    for module in ROUTERS:
        app.include_router(module.router)
    return app


def app_from_settings() -> FastAPI:
    """`create_app(Settings())`: the factory uvicorn imports in each worker process."""
    return create_app(Settings())
