"""Bad input: a clear 4xx naming the field, and nothing stored."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.alerts.factory import alert_body
from tocsin.alerts.models import Alert


def _count_alerts(state) -> int:
    with state.sessions() as session:
        return session.scalar(select(func.count()).select_from(Alert)) or 0


CASES = [
    ({"indicators": [{"type": "hostname", "value": "x.example.com"}]}, "indicators.0.type"),
    ({"indicators": [{"type": "ipv4", "value": "999.1.1.1"}]}, "indicators.0"),
    ({"indicators": [{"type": "sha256", "value": "abc"}]}, "indicators.0"),
    ({"attack_steps": [{"description": "x", "technique": "T12"}]}, "attack_steps.0.technique"),
    ({"tlp": "purple"}, "tlp"),
    ({"severity": "apocalyptic"}, "severity"),
    ({"category": "cyber"}, "category"),
    ({"care_impact": {"services": ["cafeteria"]}}, "care_impact.services.0"),
    ({"care_impact": {"patients_transferred": -1}}, "care_impact.patients_transferred"),
    ({"title": ""}, "title"),
    ({"unexpected": 1}, "unexpected"),
    ({"countermeasures": [{"action": "x", "rule": "rule y {}"}]}, "countermeasures.0"),
]


@pytest.mark.parametrize(("change", "field"), CASES)
def test_invalid_alert_names_the_field_and_stores_nothing(client, world, state, change, field):
    response = client.post("/api/v1/alerts", json=alert_body(**change), headers=world.auth("E1"))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    fields = [e["field"] for e in response.json()["errors"]]
    assert any(f.startswith(field) for f in fields), fields
    assert _count_alerts(state) == 0


def test_scope_outside_the_perimeter_is_refused(client, world, state):
    body = alert_body(scope={"kind": "region", "area_id": str(world.ids["R2"])})
    response = client.post("/api/v1/alerts", json=body, headers=world.auth("E1"))
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "scope", "reason": "the area is outside the source's perimeter"}
    ]
    assert _count_alerts(state) == 0


def test_red_without_named_recipients_is_refused(client, world):
    response = client.post("/api/v1/alerts", json=alert_body(tlp="red"), headers=world.auth("E1"))
    assert response.status_code == 422
    assert "explicit" in response.json()["errors"][0]["reason"]


def test_an_oversize_body_is_413(client, world, state):
    body = alert_body(summary="x" * (state.settings.max_body_bytes + 1))
    response = client.post("/api/v1/alerts", json=body, headers=world.auth("E1"))
    assert response.status_code == 413
    assert response.json()["status"] == 413


def test_malformed_json_is_422_problem(client, world):
    response = client.post(
        "/api/v1/alerts",
        content=b"{not json",
        headers={**world.auth("E1"), "content-type": "application/json"},
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


def test_nul_characters_are_refused_on_every_backend(client, world, state):
    body = alert_body(title="a\x00b")
    response = client.post("/api/v1/alerts", json=body, headers=world.auth("E1"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body"
    query = client.get("/api/v1/alerts", params={"q": "a\x00b"}, headers=world.auth("E1"))
    assert query.status_code == 422 and query.json()["errors"][0]["field"] == "query"
    escaped = alert_body(title="a backslash then u0000: \\u0000 is text")
    kept = client.post("/api/v1/alerts", json=escaped, headers=world.auth("E1"))
    assert kept.status_code == 201 and kept.json()["title"] == escaped["title"]
    assert _count_alerts(state) == 1
