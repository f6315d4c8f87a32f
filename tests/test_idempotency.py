"""A client retrying a write with the same Idempotency-Key gets the first answer, once."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.alerts.factory import alert_body
from tocsin.alerts.models import Alert


def _alerts(state) -> int:
    with state.sessions() as session:
        return session.scalar(select(func.count()).select_from(Alert)) or 0


def test_a_retried_create_returns_the_same_alert_and_stores_one(client, world, state):
    headers = {**world.auth("E1"), "Idempotency-Key": "retry-1"}
    first = client.post("/api/v1/alerts", json=alert_body(), headers=headers)
    second = client.post("/api/v1/alerts", json=alert_body(), headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.json()["id"] == first.json()["id"]
    assert second.headers["idempotent-replayed"] == "true"
    assert _alerts(state) == 1


def test_the_same_key_for_another_body_is_refused(client, world, state):
    headers = {**world.auth("E1"), "Idempotency-Key": "retry-2"}
    client.post("/api/v1/alerts", json=alert_body(), headers=headers)
    other = client.post("/api/v1/alerts", json=alert_body(title="other"), headers=headers)
    assert other.status_code == 422
    assert _alerts(state) == 1


def test_keys_are_scoped_to_the_caller(client, world, state):
    client.post("/api/v1/alerts", json=alert_body(),
                headers={**world.auth("E1"), "Idempotency-Key": "k"})  # fmt: skip
    client.post("/api/v1/alerts", json=alert_body(),
                headers={**world.auth("E2"), "Idempotency-Key": "k"})  # fmt: skip
    assert _alerts(state) == 2


def test_a_replay_does_not_answer_once_its_token_is_revoked(client, world, state):
    made = client.post("/api/v1/tokens", headers=world.auth("admin"), json={
        "name": "retrying script", "organisation_id": str(world.ids["E1"]),
        "scopes": ["read", "write"]})  # fmt: skip
    assert made.status_code == 201, made.text
    token = made.json()
    headers = {"Authorization": f"Bearer {token['secret']}", "Idempotency-Key": "after-revoke"}
    first = client.post("/api/v1/alerts", json=alert_body(), headers=headers)
    assert first.status_code == 201
    assert client.post("/api/v1/alerts", json=alert_body(), headers=headers).status_code == 201
    own = {"Authorization": headers["Authorization"]}
    revoked = client.delete(f"/api/v1/tokens/{token['id']}", headers=own)  # gives itself up
    assert revoked.status_code in (200, 204), revoked.text
    replay = client.post("/api/v1/alerts", json=alert_body(), headers=headers)
    assert replay.status_code == 401
    assert first.json()["id"] not in replay.text
    assert _alerts(state) == 1
