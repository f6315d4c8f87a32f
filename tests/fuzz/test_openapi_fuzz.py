"""Schemathesis against our own OpenAPI document, with a valid token: no 5xx, every response
matching the documented schema, status codes and content types."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tocsin.app import create_app
from tocsin.settings import Settings

# Endpoints that stream forever are exercised by their own tests.
STREAMING = {"/api/v1/stream"}
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.response_schema_conformance,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
]


def _operations() -> list[tuple[str, str]]:
    """Every documented operation, read from the app's own document (no database needed)."""
    document = create_app(Settings(database_url="sqlite://", run_workers=False)).openapi()
    return sorted(
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if path not in STREAMING
    )


@pytest.mark.parametrize(("method", "path"), _operations())
def test_api_never_fails_and_keeps_its_contract(state, world, method, path):
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", create_app(state=state))
    operation = schema[path][method]
    headers = world.auth("E1")

    @settings(max_examples=12, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(case=operation.as_strategy())
    def exercise(case: schemathesis.Case) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    exercise()
