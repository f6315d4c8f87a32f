"""Exercise bodies for tests."""

from __future__ import annotations

from typing import Any

from tests.alerts.factory import alert_body


def scenario(**changes: Any) -> dict[str, Any]:
    body = alert_body(**{"title": "Rançongiciel simulé", **changes})
    body.pop("scope")
    return body


def exercise_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "Exercice régional de novembre",
        "scope": {"kind": "region"},
        "scenario": scenario(),
        "acknowledge_minutes": 15,
    }
    body.update(changes)
    return body


def create(client: Any, world: Any, who: str = "R1", **changes: Any) -> dict[str, Any]:
    answer = client.post(
        "/api/v1/exercises", json=exercise_body(**changes), headers=world.auth(who)
    )
    assert answer.status_code == 201, answer.text
    result: dict[str, Any] = answer.json()
    return result


def start(client: Any, world: Any, exercise: dict[str, Any], who: str = "R1") -> dict[str, Any]:
    answer = client.post(f"/api/v1/exercises/{exercise['id']}/start", headers=world.auth(who))
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result
