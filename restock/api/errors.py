"""API errors and the one JSON shape every error takes.

Every error response is `{"error": {"code": ..., "message": ..., "details": ...}}`.
Status codes are decided here and nowhere else: route code raises the errors below (or
lets a database integrity error through) and the handlers map them.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
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


class TooManyRequests(ApiError):
    status = 429
    code = "too_many_requests"


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


def _field(loc: Sequence[int | str]) -> str | None:
    """`("body", "opening_hours", "1", 0)` -> `opening_hours.1.0`; None for the body
    (or a parameter set) as a whole."""
    return ".".join(str(part) for part in loc[1:]) or None


_PLACES = {"body": "body field", "query": "query parameter", "path": "path parameter"}
MAX_LISTED = 5


def _where(loc: Sequence[int | str]) -> str:
    """`query parameter start`, `body field scale`, `body` (the body as a whole)."""
    if not loc:
        return "request"
    field = _field(loc)
    return f"{_PLACES.get(str(loc[0]), str(loc[0]))} {field}" if field else str(loc[0])


def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    """A 422 naming each field (never echoing its value): the message lists up to
    MAX_LISTED problems, `details` all of them."""
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    listed = "; ".join(f"{_where(e['loc'])}: {e['msg']}" for e in errors[:MAX_LISTED])
    more = len(errors) - MAX_LISTED
    message = f"invalid request: {listed}" + (f" (and {more} more)" if more > 0 else "")
    details = [
        {
            "loc": list(e["loc"]),
            "field": _field(e["loc"]),
            "in": str(e["loc"][0]) if e["loc"] else None,
            "msg": str(e["msg"]),
            "type": str(e["type"]),
        }
        for e in errors
    ]
    return error_response(422, "invalid", message, details)


def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    return error_response(exc.status_code, code, str(exc.detail), headers=exc.headers)


_KEY = re.compile(r"^Key \(([^)]*)\)")
_REFERENCED = re.compile(r'table "([^"]+)"')


def _thing(table: str | None) -> str:
    """`stock_points` -> `stock point`: how a message names a row of `table`."""
    name = (table or "row").replace("_", " ")
    return name[:-1] if name.endswith("s") else name


def _integrity_error(_: Request, exc: Exception) -> JSONResponse:
    """A constraint the request broke, named with its field(s), never with the row's
    contents (PostgreSQL's own message quotes the whole row or the key's values)."""
    assert isinstance(exc, psycopg.errors.IntegrityError)
    diag = exc.diag
    constraint, table, detail = diag.constraint_name, diag.table_name, diag.message_detail or ""
    key = _KEY.match(detail)
    fields = key.group(1) if key else None
    if isinstance(exc, psycopg.errors.NotNullViolation):
        field = diag.column_name
        return error_response(
            422, "invalid", f"{field} cannot be null", {"field": field, "constraint": None}
        )
    if isinstance(exc, psycopg.errors.UniqueViolation):
        return error_response(
            409, "conflict", f"a {_thing(table)} with this {fields or 'key'} already exists",
            {"field": fields, "constraint": constraint},
        )  # fmt: skip
    if isinstance(exc, psycopg.errors.ForeignKeyViolation):
        referenced = _REFERENCED.search(detail)
        other = _thing(referenced.group(1) if referenced else None)
        if "still referenced" in detail:
            message = f"this {_thing(table)} is still referred to by a {other}"
            return error_response(409, "conflict", message, {"constraint": constraint})
        message = f"{fields}: no such {other}"
        return error_response(422, "invalid", message, {"field": fields, "constraint": constraint})
    column = (constraint or "").removeprefix(f"{table}_").removesuffix("_check")
    if isinstance(exc, psycopg.errors.CheckViolation) and column not in ("", "check"):
        message = f"{column}: the value is not one restock accepts ({constraint})"
        return error_response(422, "invalid", message, {"field": column, "constraint": constraint})
    return error_response(
        422, "invalid", f"the request breaks database rule {constraint or 'unnamed'}",
        {"field": None, "constraint": constraint},
    )  # fmt: skip


def _data_error(_: Request, exc: Exception) -> JSONResponse:
    """A value the database cannot store (the edge validation should have caught it):
    logged for the operator, answered without the database's wording."""
    assert isinstance(exc, psycopg.errors.DataError)
    log.warning("the database refused a value: %s (sqlstate %s)", exc.diag.message_primary,
                exc.diag.sqlstate)  # fmt: skip
    return error_response(
        422, "invalid", "a value is outside what restock can store",
        {"field": None, "constraint": None},
    )  # fmt: skip


def _pool_timeout(_: Request, exc: Exception) -> JSONResponse:
    log.warning("database unavailable: %s", exc)
    return error_response(503, "unavailable", "the database is not reachable right now")


def replenish_status(exc: Exception) -> int:
    """The HTTP status of a replenishment error (the visit log's included)."""
    from restock.replenish import errors as r
    from restock.replenish.visits import visit_log as v

    missing = (r.OrderNotFound, r.OrderLineNotFound, r.RuleNotFound, r.TriggerNotFound,
               r.RouteNotFound, r.RepNotFound, r.CustomerNotFound, r.VisitNotFound,
               v.VisitLogNotFound)  # fmt: skip
    if isinstance(exc, missing):
        return 404
    conflict = r.InvalidTransition | r.NotAllowedYet | r.RepDayOff | v.VisitLogConflict
    if isinstance(exc, conflict):
        return 409
    return 422


def _replenish_error(request: Request, exc: Exception) -> JSONResponse:
    """Replenishment's errors by kind; one it raised for a constraint the database
    enforced is answered as that constraint (its own message may quote the database)."""
    if isinstance(exc.__cause__, psycopg.errors.IntegrityError):
        return _integrity_error(request, exc.__cause__)
    status = replenish_status(exc)
    code = {404: "not_found", 409: "conflict"}.get(status, "invalid")
    return error_response(status, code, str(exc))


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
