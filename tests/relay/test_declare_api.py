"""Declaring: saving at once, refusing bad input by field, the crisis cell, the history."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.relay.factory import URL, declaration_body, declare
from tests.world import World
from tocsin.audit.models import AuditRecord
from tocsin.state import AppState


def _fields(response: Any) -> set[str]:
    return {e["field"] for e in response.json()["errors"]}


def test_title_and_category_are_enough(client: TestClient, world: World) -> None:
    response = client.post(
        URL, json={"title": "Strange outage", "category": 3}, headers=world.auth("E1")
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "open" and body["significant"] is False
    assert body["organisation"]["id"] == str(world.ids["E1"])
    assert body["tlp"] == "amber+strict"
    assert body["auto_share"] == {
        "parts": ["summary", "indicators", "malware_family", "initial_access", "countermeasures"],
        "anonymous": True,
        "tlp": "amber",
        "scope": "region",
    }
    assert body["relay_deadline"] == "2026-01-01T10:00:00Z"  # default severity high: 2 hours
    assert body["checklist"] == []


def test_full_declaration_is_normalised_and_significant(client: TestClient, world: World) -> None:
    body = declare(client, world)
    assert body["significant"] is True and body["category"] == 4
    assert [i["value"] for i in body["indicators"]] == ["evil.example.com", "203.0.113.7"]
    assert body["attack_steps"][0]["technique"] == "T1110.001"
    assert body["relay_deadline"] == "2026-01-01T08:30:00Z"
    assert [c["key"] for c in body["checklist"]][:2] == ["isolate", "crisis_cell"]


def test_missing_title_or_bad_category_names_the_field(client: TestClient, world: World) -> None:
    response = client.post(URL, json={"category": 6}, headers=world.auth("E1"))
    assert response.status_code == 422
    assert _fields(response) == {"title", "category"}


def test_future_dates_are_refused_by_field(client: TestClient, world: World) -> None:
    body = declaration_body(
        description={"discovered_at": "2026-01-02T08:00:00Z"},
        attack_steps=[
            {"at": "2026-01-01T07:00:00Z", "description": "ok"},
            {"at": "2027-01-01T00:00:00Z", "description": "later"},
        ],
    )
    response = client.post(URL, json=body, headers=world.auth("E1"))
    assert response.status_code == 422
    assert _fields(response) == {"description.discovered_at", "attack_steps.1.at"}


def test_bad_indicator_is_refused_like_in_an_alert(client: TestClient, world: World) -> None:
    body = declaration_body(indicators=[{"type": "ipv4", "value": "999.1.1.1"}])
    response = client.post(URL, json=body, headers=world.auth("E1"))
    assert response.status_code == 422
    assert any(f.startswith("indicators.0") for f in _fields(response))


def test_only_for_your_own_establishment(client: TestClient, world: World) -> None:
    other = declaration_body(organisation_id=str(world.ids["E2"]))
    assert client.post(URL, json=other, headers=world.auth("E1")).status_code == 403
    assert client.post(URL, json=declaration_body(), headers=world.auth("G1")).status_code == 403
    read_only = client.post(URL, json=declaration_body(), headers=world.auth("viewer_E1"))
    assert read_only.status_code == 403


def test_the_crisis_cell_sees_it_and_nobody_else(client: TestClient, world: World) -> None:
    declaration = declare(client, world)
    for org in ("E1", "G1", "R1", "N", "viewer_E1"):
        got = client.get(f"{URL}/{declaration['id']}", headers=world.auth(org))
        assert got.status_code == 200, org
    for org in ("E2", "G2", "R2", "P", "E5"):
        assert client.get(f"{URL}/{declaration['id']}", headers=world.auth(org)).status_code == 404


def test_list_paginates_with_a_cursor(
    client: TestClient, world: World, state: AppState, clock: Any
) -> None:
    from datetime import timedelta

    ids = []
    for index in range(3):
        ids.append(declare(client, world, title=f"Incident {index}")["id"])
        clock.advance(timedelta(minutes=1))
    declare(client, world, "E5", title="Elsewhere")
    first = client.get(URL, params={"limit": 2}, headers=world.auth("R1")).json()
    assert [d["id"] for d in first["items"]] == ids[::-1][:2]
    second = client.get(
        URL, params={"limit": 2, "cursor": first["next"]}, headers=world.auth("R1")
    ).json()
    assert [d["id"] for d in second["items"]] == [ids[0]] and second["next"] is None
    national = client.get(URL, headers=world.auth("N")).json()["items"]
    assert len(national) == 4
    assert client.get(URL, headers=world.auth("E2")).json()["items"] == []
    bad = client.get(URL, params={"cursor": "nonsense"}, headers=world.auth("R1"))
    assert bad.status_code == 422 and _fields(bad) == {"cursor"}


def test_edits_are_kept_in_history_and_audited(
    client: TestClient, world: World, state: AppState
) -> None:
    declaration = declare(client, world, severity="high")
    url = f"{URL}/{declaration['id']}"
    patch = {"severity": "critical", "causes": {"known": False}, "note": "worse than thought"}
    edited = client.patch(url, json=patch, headers=world.auth("E1"))
    assert edited.status_code == 200, edited.text
    assert edited.json()["version"] == 2
    assert edited.json()["relay_deadline"] == "2026-01-01T08:30:00Z"  # recounted from declaring
    history = client.get(f"{url}/history", headers=world.auth("G1")).json()
    assert [h["action"] for h in history] == ["create", "edit"]
    assert history[0]["document"]["severity"] == "high"
    assert history[1]["fields"] == ["causes", "severity"]
    assert history[1]["note"] == "worse than thought"
    with state.sessions() as session:
        actions = session.scalars(
            select(AuditRecord.action).where(AuditRecord.target_id == declaration["id"])
        ).all()
    assert "declaration.create" in actions and "declaration.edit" in actions


def test_only_the_declarant_edits(client: TestClient, world: World) -> None:
    url = f"{URL}/{declare(client, world)['id']}"
    assert client.patch(url, json={"title": "x"}, headers=world.auth("G1")).status_code == 403
    assert client.patch(url, json={"title": "x"}, headers=world.auth("E2")).status_code == 404
    future = {"description": {"discovered_at": "2030-01-01T00:00:00Z"}}
    response = client.patch(url, json=future, headers=world.auth("E1"))
    assert response.status_code == 422 and _fields(response) == {"description.discovered_at"}
    assert client.get(url, headers=world.auth("E1")).json()["version"] == 1


def test_relays_are_notified_at_declaration(
    client: TestClient, world: World, state: AppState
) -> None:
    declaration = declare(client, world)
    with state.sessions() as session:
        notice = session.scalars(
            select(AuditRecord).where(
                AuditRecord.action == "declaration.notify",
                AuditRecord.target_id == declaration["id"],
            )
        ).one()
    assert notice.details["event"] == "declared"
    assert set(notice.details["relays"]) == {str(world.ids[o]) for o in ("G1", "R1", "N")}


def test_times_without_a_zone_are_refused_or_read_as_utc(client: TestClient, world: World) -> None:
    naive = declaration_body(description={"discovered_at": "2026-01-01T07:00:00"})
    response = client.post(URL, json=naive, headers=world.auth("E1"))
    assert response.status_code == 422 and _fields(response) == {"description.discovered_at"}
    later_step = declaration_body(attack_steps=[{"at": "2027-01-01T00:00:00", "description": "x"}])
    response = client.post(URL, json=later_step, headers=world.auth("E1"))
    assert response.status_code == 422 and _fields(response) == {"attack_steps.0.at"}


def test_a_patch_names_the_field_it_breaks(client: TestClient, world: World) -> None:
    url = f"{URL}/{declare(client, world)['id']}"
    response = client.patch(url, json={"category": None}, headers=world.auth("E1"))
    assert response.status_code == 422 and _fields(response) == {"category"}
