"""Liveness, readiness and Prometheus metrics: no token needed."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from psycopg_pool import AsyncConnectionPool
from pydantic import BaseModel

from restock.api.errors import ErrorResponse, Unavailable
from restock.api.queries.health import schema_state

log = logging.getLogger(__name__)
router = APIRouter(tags=["health"])


class Status(BaseModel):
    status: str
    schema_version: int | None = None


@router.get("/health", response_model=Status)
async def health() -> Status:
    """The process is up (says nothing about the database)."""
    return Status(status="ok")


@router.get("/ready", response_model=Status, responses={503: {"model": ErrorResponse}})
async def ready(request: Request) -> Status:
    """The database answers and its schema is up to date; 503 otherwise."""
    pool: AsyncConnectionPool = request.app.state.pool
    try:
        async with pool.connection(timeout=2.0) as conn:
            current, latest = await schema_state(conn)
    except Exception as exc:  # any failure to reach the database means "not ready"
        log.warning("not ready: %s", exc)
        raise Unavailable(f"database not reachable: {exc.__class__.__name__}") from exc
    if current < latest:
        raise Unavailable(f"database schema is at {current}, restock needs {latest}")
    return Status(status="ready", schema_version=current)


@router.get("/metrics", response_class=Response, responses={200: {"content": {"text/plain": {}}}})
async def metrics(request: Request) -> Response:
    """Prometheus metrics: requests by route and status, latency histogram."""
    body = generate_latest(request.app.state.metrics.registry)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
