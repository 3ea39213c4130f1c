"""Every error, including a bug's, answers in the one JSON shape."""

from __future__ import annotations

import logging
import warnings

import pytest
from fastapi import FastAPI
from starlette.exceptions import StarletteDeprecationWarning

from restock.api.errors import Conflict, install_error_handlers

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient


def app() -> FastAPI:
    api = FastAPI()
    install_error_handlers(api)

    @api.get("/conflict")
    def conflict() -> None:
        raise Conflict("order 7 is approved: cannot edit it")

    @api.get("/bug")
    def bug() -> None:
        raise ZeroDivisionError("division by zero")

    @api.get("/typed/{n}")
    def typed(n: int) -> int:
        return n

    return api


def test_errors_name_what_they_are_about(caplog: pytest.LogCaptureFixture) -> None:
    client = TestClient(app(), raise_server_exceptions=False)
    conflict = client.get("/conflict")
    assert conflict.status_code == 409
    assert conflict.json() == {
        "error": {
            "code": "conflict",
            "message": "order 7 is approved: cannot edit it",
            "details": None,
        }
    }
    invalid = client.get("/typed/seven")
    assert invalid.status_code == 422
    assert invalid.json()["error"]["details"][0]["loc"] == ["path", "n"]
    missing = client.get("/nowhere")
    assert missing.json()["error"]["code"] == "not_found"
    with caplog.at_level(logging.ERROR):
        bug = client.get("/bug")
    assert bug.status_code == 500
    assert bug.json()["error"]["code"] == "internal"
    assert "division" not in bug.text  # internals stay in the log
    assert "GET /bug failed" in caplog.text
