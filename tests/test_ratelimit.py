"""Abuse: too many writes or failed logins get 429 with Retry-After, and recover with time."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from tests.alerts.factory import alert_body
from tocsin.app import create_app


@pytest.fixture
def strict_client(state):
    state.settings.rate_limit_writes_per_minute = 3
    state.settings.rate_limit_auth_failures_per_minute = 2
    with TestClient(create_app(state=state)) as client:
        yield client


def test_writes_beyond_the_limit_get_429_then_recover(strict_client, world, clock):
    codes = [
        strict_client.post(
            "/api/v1/alerts", json=alert_body(), headers=world.auth("E1")
        ).status_code
        for _ in range(4)
    ]
    assert codes == [201, 201, 201, 429]
    limited = strict_client.post("/api/v1/alerts", json=alert_body(), headers=world.auth("E1"))
    assert int(limited.headers["retry-after"]) >= 1
    assert (
        strict_client.post(
            "/api/v1/alerts", json=alert_body(), headers=world.auth("E2")
        ).status_code
        == 201
    )
    clock.advance(timedelta(seconds=int(limited.headers["retry-after"])))
    assert (
        strict_client.post(
            "/api/v1/alerts", json=alert_body(), headers=world.auth("E1")
        ).status_code
        == 201
    )


def test_reads_are_not_counted_as_writes(strict_client, world):
    assert all(
        strict_client.get("/api/v1/me", headers=world.auth("E1")).status_code == 200
        for _ in range(10)
    )


def test_repeated_bad_tokens_are_throttled_but_never_a_valid_one(strict_client, world, clock):
    bad = {"Authorization": "Bearer tcn_guess"}
    assert [strict_client.get("/api/v1/me", headers=bad).status_code for _ in range(3)] == [
        401, 401, 429,
    ]  # fmt: skip
    limited = strict_client.get("/api/v1/me", headers=bad)
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
    assert limited.headers["content-type"] == "application/problem+json"
    # The hospital next door, behind the same address, keeps working with its valid token,
    # for reads and writes alike; and its successes do not reset the guesser's throttle.
    assert strict_client.get("/api/v1/me", headers=world.auth("E1")).status_code == 200
    created = strict_client.post("/api/v1/alerts", json=alert_body(), headers=world.auth("E2"))
    assert created.status_code == 201
    assert strict_client.get("/api/v1/me", headers=bad).status_code == 429
    clock.advance(timedelta(minutes=1))
    assert strict_client.get("/api/v1/me", headers=bad).status_code == 401


def test_only_failures_are_counted(strict_client, world):
    for _ in range(10):
        assert strict_client.get("/api/v1/me", headers=world.auth("E1")).status_code == 200
    bad = {"Authorization": "Bearer tcn_guess"}
    assert [strict_client.get("/api/v1/me", headers=bad).status_code for _ in range(3)] == [
        401, 401, 429,
    ]  # fmt: skip


def test_repeated_wrong_passwords_from_one_address_get_429(strict_client, world):
    # Each try names another account, so only the limit per address can stop it.
    from tests.web.helpers import sign_in

    codes = [sign_in(strict_client, f"so_E{n}", password="guess").status_code for n in (1, 2, 3)]
    assert codes == [401, 401, 429]
