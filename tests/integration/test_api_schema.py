"""Schemathesis against the OpenAPI document: generated requests (valid and invalid)
never cause a 5xx, and responses match the documented status codes, content types and
schemas. One test per operation, each on a fresh seeded database."""

from __future__ import annotations

from collections.abc import Iterator

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

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = 12


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
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )
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
