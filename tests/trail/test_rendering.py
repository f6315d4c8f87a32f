"""The trail shows a reader nothing of an alert the reader may not see: the leaks an outside
audit reproduced through `GET /api/v1/audit`, each closed."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from tests.alerts.factory import alert_body, publish
from tests.world import World
from tocsin.audit.service import SYSTEM
from tocsin.db import transaction
from tocsin.network import service as network_service
from tocsin.network.models import Role, Scope
from tocsin.state import AppState

WHEN = "2026-01-01T00:00:00Z"
SECRET_TITLE = "Chiffrement du PACS au CH de Vienne"


def _director(state: AppState, world: World, org: str) -> dict[str, str]:
    with transaction(state.sessions) as session:
        now = state.clock.now()
        user = network_service.create_user(
            session=session, email=f"director@{org.lower()}.example.org", display_name="D",
            organisation_id=world.ids[org], roles=[Role.director], now=now, actor=SYSTEM,
        )  # fmt: skip
        _, secret = network_service.issue_token(
            session=session, organisation_id=world.ids[org], user_id=user.id, name="d",
            scopes=[Scope.read, Scope.write], now=now, actor=SYSTEM,
        )  # fmt: skip
    return {"Authorization": f"Bearer {secret}"}


def _trail(client: TestClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    response = client.get("/api/v1/audit", params={"limit": 1000}, headers=headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    exported = client.get("/api/v1/audit/export", headers=headers)
    assert [json.loads(line) for line in exported.text.splitlines()] == items
    return items


def _about(items: list[dict[str, Any]], alert: dict[str, Any]) -> list[dict[str, Any]]:
    """The records about the alert or one of its indicators."""
    ids = {alert["id"], *(i["id"] for i in alert.get("indicators", []))}
    return [r for r in items if r["target_id"] in ids]


def _anonymous_alert_read_and_answered(client: TestClient, world: World) -> dict[str, Any]:
    """E1 publishes anonymously to its region at AMBER+STRICT; E4 (another group) reads it,
    answers it and reports a sighting of one of its indicators."""
    alert = publish(client, world, "E1", tlp="amber+strict", anonymous=True)
    assert client.get(f"/api/v1/alerts/{alert['id']}", headers=world.auth("E4")).status_code == 200
    answered = client.put(f"/api/v1/alerts/{alert['id']}/response", headers=world.auth("E4"),
                          json={"applicability": "investigating"})  # fmt: skip
    assert answered.status_code == 200, answered.text
    sighted = client.post("/api/v1/sightings", headers=world.auth("E4"), json={
        "indicator_id": alert["indicators"][0]["id"], "count": 2,
        "first_seen": WHEN, "last_seen": WHEN})  # fmt: skip
    assert sighted.status_code == 201, sighted.text
    return alert


def test_an_anonymous_source_is_named_to_no_reader_of_the_trail_but_its_own_relays(
    client: TestClient, world: World, state: AppState
) -> None:
    alert = _anonymous_alert_read_and_answered(client, world)
    source = str(world.ids["E1"])
    readers = {"E4's director": _director(state, world, "E4"), "G2": world.auth("G2")}
    for who, headers in readers.items():
        records = _about(_trail(client, headers), alert)
        actions = {r["action"] for r in records}
        assert {"alert.read", "response.change", "intel.sighting"} <= actions or who == "G2"
        assert records, who
        assert source not in json.dumps(records), f"{who} learns the anonymous source"
    for relay in ("G1", "R1"):
        records = _about(_trail(client, world.auth(relay)), alert)
        assert any(source in r["concerns"] for r in records if r["action"] == "alert.read")


def test_the_recipients_relay_sees_its_member_read_and_sight_but_not_the_source(
    client: TestClient, world: World
) -> None:
    alert = _anonymous_alert_read_and_answered(client, world)
    records = _about(_trail(client, world.auth("G2")), alert)
    assert {"alert.read", "response.change"} <= {r["action"] for r in records}
    assert all(r["concerns"] == [str(world.ids["E4"])] for r in records)


def test_a_red_alert_for_one_hospital_is_absent_from_the_trail_of_those_who_cannot_open_it(
    client: TestClient, world: World, state: AppState
) -> None:
    alert = publish(client, world, "E1", tlp="red", title=SECRET_TITLE,
                    scope={"kind": "explicit", "organisations": [str(world.ids["E5"])]})  # fmt: skip
    assert client.get(f"/api/v1/alerts/{alert['id']}", headers=world.auth("E5")).status_code == 200
    for relay in ("G1", "R1", "N", "G3", "R2"):  # the source's, the recipient's, national
        assert client.get(f"/api/v1/alerts/{alert['id']}",
                          headers=world.auth(relay)).status_code == 404  # fmt: skip
        items = _trail(client, world.auth(relay))
        assert _about(items, alert) == [], f"{relay} learns the RED alert exists"
        assert SECRET_TITLE not in json.dumps(items)
    mine = _about(_trail(client, _director(state, world, "E5")), alert)
    assert {r["action"] for r in mine} == {"alert.read", "response.received"}
    source = _about(_trail(client, _director(state, world, "E1")), alert)
    assert SECRET_TITLE in json.dumps(source)


def test_an_unpublished_draft_is_absent_from_the_relays_trail(
    client: TestClient, world: World
) -> None:
    created = client.post("/api/v1/alerts", json=alert_body(title=SECRET_TITLE),
                          headers=world.auth("E1"))  # fmt: skip
    assert created.status_code == 201, created.text
    for relay in ("G1", "R1", "N"):
        items = _trail(client, world.auth(relay))
        assert _about(items, created.json()) == []
        assert SECRET_TITLE not in json.dumps(items)
    published = client.post(f"/api/v1/alerts/{created.json()['id']}/publish",
                            headers=world.auth("E1"))  # fmt: skip
    assert published.status_code == 200
    shown = _about(_trail(client, world.auth("G1")), created.json())
    assert {"alert.create", "alert.publish"} <= {r["action"] for r in shown}


def test_administrators_read_the_records_as_stored(client: TestClient, world: World) -> None:
    alert = _anonymous_alert_read_and_answered(client, world)
    records = _about(_trail(client, world.auth("admin")), alert)
    reads = [r for r in records if r["action"] == "alert.read"]
    assert reads and str(world.ids["E1"]) in reads[0]["concerns"]


def test_pages_of_the_trail_skip_hidden_records_without_losing_visible_ones(
    client: TestClient, world: World
) -> None:
    for _ in range(3):
        publish(client, world, "E1", tlp="red",
                scope={"kind": "explicit", "organisations": [str(world.ids["E5"])]})  # fmt: skip
        publish(client, world, "E1")
    everything = _trail(client, world.auth("G1"))
    paged, after = [], None
    while True:
        params: dict[str, Any] = {"limit": 2, **({"after": after} if after else {})}
        page = client.get("/api/v1/audit", params=params, headers=world.auth("G1")).json()
        assert len(page["items"]) <= 2
        paged += page["items"]
        after = page["next"]
        if after is None:
            break
    assert paged == everything


def test_a_correlation_record_names_no_related_alert_the_reader_may_not_open(
    client: TestClient, world: World
) -> None:
    indicator = [{"type": "ipv4", "value": "45.155.205.233"}]
    red = publish(client, world, "E5", tlp="red", indicators=indicator,
                  scope={"kind": "explicit", "organisations": [str(world.ids["E1"])]})  # fmt: skip
    amber = publish(client, world, "E1", indicators=indicator)
    admin = _about(_trail(client, world.auth("admin")), amber)
    correlations = [r for r in admin if r["action"] == "intel.correlation"]
    assert red["id"] in json.dumps(correlations)  # the fact is kept: E1 may open both
    shown = _about(_trail(client, world.auth("G1")), amber)
    assert shown and red["id"] not in json.dumps(shown)


def test_an_anonymous_sighting_names_its_reporter_only_to_itself_and_its_relays(
    client: TestClient, world: World, state: AppState
) -> None:
    alert = publish(client, world, "E1")
    sighted = client.post("/api/v1/sightings", headers=world.auth("E4"), json={
        "indicator_id": alert["indicators"][0]["id"], "count": 1, "anonymous": True,
        "first_seen": WHEN, "last_seen": WHEN})  # fmt: skip
    assert sighted.status_code == 201, sighted.text
    reporter = str(world.ids["E4"])
    for who, headers in {"E1's director": _director(state, world, "E1"),
                         "G1": world.auth("G1")}.items():  # fmt: skip
        records = [r for r in _about(_trail(client, headers), alert)
                   if r["action"] == "intel.sighting"]  # fmt: skip
        assert records, who
        assert reporter not in json.dumps(records), f"{who} learns the anonymous reporter"
    own_relay = [r for r in _about(_trail(client, world.auth("G2")), alert)
                 if r["action"] == "intel.sighting"]  # fmt: skip
    assert own_relay and own_relay[0]["actor_org_id"] == reporter
