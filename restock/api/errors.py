"""API errors and the one JSON shape every error takes.

Every error response is `{"error": {"code": ..., "message": ..., "details": ...}}`.
Status codes are decided here and nowhere else: route code raises the errors below (or
lets a database integrity error through) and the handlers map them.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)


class ErrorBody(BaseModel):
    code: str
    message: str
    details: Any = None


class ErrorResponse(BaseModel):
    """The shape of every error response."""

    error: ErrorBody


class ApiError(Exception):
    """An error with an HTTP status, a stable code and a message naming what it is about."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class Unauthorized(ApiError):
    status = 401
    code = "unauthorized"


class Forbidden(ApiError):
    status = 403
    code = "forbidden"


class NotFound(ApiError):
    status = 404
    code = "not_found"


class Conflict(ApiError):
    status = 409
    code = "conflict"


class Invalid(ApiError):
    status = 422
    code = "invalid"


class Unavailable(ApiError):
    status = 503
    code = "unavailable"


# Documented on every route that needs authentication.
AUTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse, "description": "Malformed request body"},
    401: {"model": ErrorResponse, "description": "Missing, unknown or revoked token"},
    403: {"model": ErrorResponse, "description": "The token's role may not do this"},
    422: {"model": ErrorResponse, "description": "Invalid request"},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorResponse, "description": "No such resource (or not yours)"}
}
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"model": ErrorResponse, "description": "Conflicts with existing data"}
}


def error_response(
    status: int,
    code: str,
    message: str,
    details: Any = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body = {"error": {"code": code, "message": message, "details": details}}
    return JSONResponse(body, status_code=status, headers=headers)


def _api_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    return error_response(exc.status, exc.code, exc.message, exc.details, headers)


def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = [
        {"loc": list(err.get("loc", ())), "msg": str(err.get("msg", ""))} for err in exc.errors()
    ]
    return error_response(422, "invalid", "the request is not valid", details)


def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    return error_response(exc.status_code, code, str(exc.detail), headers=exc.headers)


def _integrity_error(_: Request, exc: Exception) -> JSONResponse:
    """Constraint violations are the client's doing: say which constraint."""
    assert isinstance(exc, psycopg.errors.IntegrityError)
    diag = exc.diag
    detail = diag.message_detail or diag.message_primary or str(exc)
    if isinstance(exc, psycopg.errors.UniqueViolation):
        return error_response(409, "conflict", detail, {"constraint": diag.constraint_name})
    return error_response(422, "invalid", detail, {"constraint": diag.constraint_name})


def _data_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, psycopg.errors.DataError)
    return error_response(422, "invalid", exc.diag.message_primary or str(exc))


def _pool_timeout(_: Request, exc: Exception) -> JSONResponse:
    log.warning("database unavailable: %s", exc)
    return error_response(503, "unavailable", "the database is not reachable right now")


def _replenish_error(_: Request, exc: Exception) -> JSONResponse:
    from restock.replenish import errors as r

    missing = (r.OrderNotFound, r.OrderLineNotFound, r.RuleNotFound, r.TriggerNotFound,
               r.RouteNotFound, r.RepNotFound, r.CustomerNotFound, r.VisitNotFound)  # fmt: skip
    if isinstance(exc, missing):
        return error_response(404, "not_found", str(exc))
    if isinstance(exc, r.InvalidTransition | r.NotAllowedYet | r.RepDayOff):
        return error_response(409, "conflict", str(exc))
    return error_response(422, "invalid", str(exc))


def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    """A bug: logged with its traceback, answered in the same shape (no internals)."""
    log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
    return error_response(500, "internal", "restock failed to answer; the error is logged")


def install_error_handlers(app: FastAPI) -> None:
    """Map every error restock raises to the one JSON error shape."""
    from psycopg_pool import PoolTimeout

    from restock.replenish.errors import ReplenishError

    app.add_exception_handler(ReplenishError, _replenish_error)
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(psycopg.errors.IntegrityError, _integrity_error)
    app.add_exception_handler(psycopg.errors.DataError, _data_error)
    app.add_exception_handler(PoolTimeout, _pool_timeout)
    app.add_exception_handler(psycopg.OperationalError, _pool_timeout)
    app.add_exception_handler(Exception, _unexpected)
