"""Sightings: reported by organisations, aggregated per indicator, shown to readers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from tests.alerts.factory import publish
from tests.world import World
from tocsin.clock import ManualClock

INDICATORS = [
    {"type": "ipv4", "value": "45.155.205.233"},
    {"type": "domain", "value": "c2.qzx-ransom-relay.top"},
]


def sighting(indicator_id: str, clock: ManualClock, **changes: Any) -> dict[str, Any]:
    now = clock.now()
    body = {
        "indicator_id": indicator_id,
        "count": 3,
        "first_seen": (now - timedelta(days=2)).isoformat(),
        "last_seen": (now - timedelta(hours=1)).isoformat(),
        "anonymous": False,
        "source": "sweep",
        "false_positive": False,
    }
    return body | changes


def test_sightings_are_aggregated_across_organisations(
    client: TestClient, world: World, clock: ManualClock
) -> None:
    alert = publish(client, world, "E1", indicators=INDICATORS)
    indicator = alert["indicators"][0]["id"]
    for who, anonymous in (("E2", False), ("E3", True), ("E2", False)):
        body = sighting(indicator, clock, anonymous=anonymous)
        response = client.post("/api/v1/sightings", json=body, headers=world.auth(who))
        assert response.status_code == 201, response.text
    summary = client.get(f"/api/v1/indicators/{indicator}/sightings", headers=world.auth("E4"))
    assert summary.status_code == 200, summary.text
    data = summary.json()
    assert (data["organisations"], data["sightings"], data["total_count"]) == (2, 3, 9)
    assert [o["id"] for o in data["reported_by"]] == [str(world.ids["E2"])]  # E3 stays hidden
    assert data["confidence"] == 100
    per_alert = client.get(f"/api/v1/alerts/{alert['id']}/sightings", headers=world.auth("E1"))
    assert [s["organisations"] for s in per_alert.json()] == [2, 0]


def test_a_false_positive_lowers_confidence(
    client: TestClient, world: World, clock: ManualClock
) -> None:
    alert = publish(client, world, "E1", indicators=INDICATORS)
    indicator = alert["indicators"][1]["id"]
    for who in ("E2", "E3"):
        body = sighting(indicator, clock, false_positive=True, source="manual")
        assert (
            client.post("/api/v1/sightings", json=body, headers=world.auth(who)).status_code == 201
        )
    data = client.get(f"/api/v1/indicators/{indicator}/sightings", headers=world.auth("E1")).json()
    assert data["false_positives"] == 2
    assert data["confidence"] == 50


def test_bad_sightings_are_refused(client: TestClient, world: World, clock: ManualClock) -> None:
    alert = publish(client, world, "E1", indicators=INDICATORS)
    indicator = alert["indicators"][0]["id"]
    now = clock.now()
    cases = [
        (sighting(indicator, clock, count=0), 422),
        (sighting(indicator, clock, last_seen=(now + timedelta(hours=1)).isoformat()), 422),
        (
            sighting(
                indicator,
                clock,
                first_seen=now.isoformat(),
                last_seen=(now - timedelta(hours=1)).isoformat(),
            ),
            422,
        ),
        (sighting(indicator, clock, source="guess"), 422),
        (sighting("00000000-0000-0000-0000-000000000000", clock), 404),
    ]
    for body, expected in cases:
        response = client.post("/api/v1/sightings", json=body, headers=world.auth("E2"))
        assert response.status_code == expected, (body, response.text)
    # E5 (another region) may not read this AMBER alert: its indicator does not exist for E5
    invisible = client.post(
        "/api/v1/sightings", json=sighting(indicator, clock), headers=world.auth("E5")
    )
    assert invisible.status_code == 404
    hidden = client.get(f"/api/v1/indicators/{indicator}/sightings", headers=world.auth("E5"))
    assert hidden.status_code == 404
