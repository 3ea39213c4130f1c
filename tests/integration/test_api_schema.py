"""Schemathesis against the OpenAPI document: generated requests (valid and invalid)
never cause a 5xx, responses match the documented status codes, content types and
schemas, and the database never refuses a value the document admits. One test per
operation, each on a fresh seeded database.

Besides schemathesis's own cases, each date-time query parameter is also given values
a client might send that the document does not admit: no offset, a date alone, epoch
seconds, years 1 and 9999, any offset a zone has ever had (issue 13 item 11: these made
500s that the generated cases had not found)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.python.asgi import shutdown_lifespans

from restock.api.app import create_app
from restock.core.settings import Settings
from tests.integration.test_api_fixtures import Api, api_fixture  # noqa: F401 (fixture)


@schemathesis.check
def the_database_takes_what_the_schema_admits(ctx: Any, response: Any, case: Any) -> None:
    """A 422 from the database itself (a CHECK, a NOT NULL, a value it cannot store:
    their details name the `constraint`, None for the last two) means the document
    admitted a value the database refuses. A missing referent (a foreign key) is fine:
    no schema can say which ids exist."""
    if response.status_code != 422:
        return None
    error = response.json()["error"]
    details = error["details"]
    from_the_database = isinstance(details, dict) and "constraint" in details
    if from_the_database and not (details["constraint"] or "").endswith("_fkey"):
        raise AssertionError(f"the database refused what the schema admits: {error}")
    return None


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    the_database_takes_what_the_schema_admits,
]
EXAMPLES = 12

UNUSABLE_DATETIMES = st.one_of(
    st.datetimes().map(datetime.isoformat),  # no offset
    st.dates().map(date.isoformat),
    st.datetimes(timezones=st.timezones()).map(datetime.isoformat),  # years 1-9999, LMT
    st.floats(allow_nan=False).map(str),  # epoch seconds
    st.sampled_from(
        [
            "2026-12-01",
            "2026-11-30T00:00:00",
            "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z",
            "9999-12-31T23:59:59-12:00",
            "0001-01-01T00:00:00+14:00",
            "2026-02-10T00:00:00+16:00",
            "0.5",
            "0",
        ]
    ),
)


def datetime_query_parameters(document: dict[str, Any], method: str, path: str) -> list[str]:
    parameters = document["paths"][path][method.lower()].get("parameters", [])
    return [
        p["name"]
        for p in parameters
        if p["in"] == "query" and "date-time" in str(p.get("schema", {}))
    ]


def with_query(case: schemathesis.Case, name: str, value: str) -> schemathesis.Case:
    case.query = {**(case.query or {}), name: value}
    return case


def operation_labels() -> list[str]:
    # building the app touches nothing (the pool opens in the lifespan), so the
    # document can be read at collection time
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(Settings()))
    return [result.ok().label for result in schema.get_all_operations()]


@pytest.fixture(autouse=True)
def _stop_schemathesis_lifespans() -> Iterator[None]:
    """schemathesis runs the app's lifespan itself (its pools, on its own event loop) and
    keeps it running: stop it before the test's database is dropped."""
    yield
    shutdown_lifespans()


# The app's pools draw from `random` in their own threads and tasks (connection expiry
# and reconnection jitter); hypothesis cannot tell that from a strategy using it.
@pytest.mark.filterwarnings("ignore:Do not use the `random` module inside strategies")
@pytest.mark.parametrize("label", operation_labels())
def test_no_generated_request_makes_the_server_fail(api: Api, label: str) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", api.client.app)
    operation = next(r.ok() for r in schema.get_all_operations() if r.ok().label == label)
    positive = operation.as_strategy(GenerationMode.POSITIVE)
    cases = st.one_of(positive, operation.as_strategy(GenerationMode.NEGATIVE))
    names = datetime_query_parameters(api.client.app.openapi(), operation.method, operation.path)
    if names:
        unusable = st.builds(with_query, positive, st.sampled_from(names), UNUSABLE_DATETIMES)
        cases = st.one_of(cases, unusable)
    headers = api.headers("admin")

    @given(case=cases)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: schemathesis.Case) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()
