"""Schemathesis against our own OpenAPI document: no 5xx, every response matching the
documented schema, status codes and content types, and every operation's handler reached.

A run that only collects 401, 403 and 429 proves nothing about the handler behind them, so
each operation is called by a caller that passes its gates of scope, role and kind of
organisation (read from the authorisation table, tests/authz/table.py), with a token the
fuzzer cannot take away from itself (restored after any answer that refused it), and rate
limits out of the way (the `settings` fixture raises them). Each operation must get at least
one answer that is not 401, 403 or 429.
"""

from __future__ import annotations

import os
import uuid

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from sqlalchemy import update

from tests.authz.rules import Actor, Target
from tests.authz.table import API
from tests.world import World
from tocsin.app import create_app
from tocsin.db import transaction
from tocsin.network import service as network_service
from tocsin.network.models import ApiToken, Role, Scope
from tocsin.network.secrets import token_digest
from tocsin.settings import Settings
from tocsin.state import AppState

# Endpoints that stream forever are exercised by their own tests.
STREAMING = {"/api/v1/stream"}
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.response_schema_conformance,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
]
NOT_REACHED = {401, 403, 429}
EXAMPLES = int(os.environ.get("TOCSIN_API_FUZZ_EXAMPLES", "12"))
RW = frozenset({Scope.read, Scope.write})
# Callers tried in order; the first one the operation's gates let through is used.
CANDIDATES = [
    ("so_E1", "E1", "establishment", Role.security_officer, RW),
    ("so_G1", "G1", "group", Role.security_officer, RW),
    ("so_R1", "R1", "region", Role.security_officer, RW),
    ("admin", "N", "national", Role.director, RW | {Scope.admin}),
    ("so_N", "N", "national", Role.security_officer, RW),
    ("so_P", "P", "partner", Role.security_officer, RW),
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


def _target(state: AppState, world: World) -> Target:
    with state.sessions() as session:
        return Target(network_service.load_network(session=session), dict(world.ids))


def _caller(state: AppState, world: World, method: str, path: str) -> str:
    """The first candidate that every 403 gate of the operation's row lets through."""
    target = _target(state, world)
    for name, org, kind, role, scopes in CANDIDATES:
        actor = Actor(name, org, kind, role, scopes, world.tokens[name])
        if all(check(actor, target) != 403 for check in API.get((method, path)) or ()):
            return name
    return CANDIDATES[0][0]


def _keep_alive(state: AppState, world: World, name: str) -> None:
    """Give the caller its token back if the fuzzer revoked or expired it."""
    with transaction(state.sessions) as session:
        session.execute(
            update(ApiToken)
            .where(ApiToken.digest == token_digest(world.tokens[name]))
            .values(revoked_at=None, expires_at=None)
        )


@pytest.mark.parametrize(("method", "path"), _operations())
def test_api_never_fails_keeps_its_contract_and_reaches_the_handler(
    state: AppState, world: World, method: str, path: str
) -> None:
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", create_app(state=state))
    operation = schema[path][method]
    name = _caller(state, world, method, path)
    headers = {**world.auth(name)}
    answers: dict[int, int] = {}

    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(case=operation.as_strategy())
    def exercise(case: schemathesis.Case) -> None:
        # A fresh key each call: a kept answer would be replayed instead of the handler running.
        call_headers = {**headers, "Idempotency-Key": str(uuid.uuid4())}
        response = case.call(headers=call_headers)
        answers[response.status_code] = answers.get(response.status_code, 0) + 1
        if response.status_code == 401:  # the call may have revoked the caller's own token
            _keep_alive(state, world, name)
        case.validate_response(response, checks=CHECKS)

    exercise()
    reached = sum(n for code, n in answers.items() if code not in NOT_REACHED)
    assert reached, f"{method} {path} as {name}: only {answers}; the handler was never reached"


def test_each_operation_is_called_by_someone_its_gates_let_through(
    state: AppState, world: World
) -> None:
    assert _caller(state, world, "GET", "/api/v1/alerts") == "so_E1"
    assert _caller(state, world, "POST", "/api/v1/organisations") == "admin"
    assert _caller(state, world, "POST", "/api/v1/campaigns") == "so_G1"  # a relay's
