"""Qualification by a relay analyst, and the declarant's later changes proposed to it."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.relay.factory import URL, add_analyst, declare
from tests.world import World
from tocsin.state import AppState


def test_relay_analyst_publishes_a_linked_alert(
    client: TestClient, world: World, state: AppState
) -> None:
    analyst = add_analyst(state, world, "R1")
    declaration = declare(client, world, anonymous=True)
    choice = {
        "title": "Ransomware on imaging servers in the region",
        "tlp": "amber",
        "summary": "PACS encrypted at an establishment; hunt for these indicators.",
    }
    response = client.post(
        f"{URL}/{declaration['id']}/qualify", json=choice, headers=world.auth(analyst)
    )
    assert response.status_code == 200, response.text
    qualified = response.json()
    assert qualified["status"] == "qualified" and qualified["relay_deadline"] is None
    assert qualified["qualified_by"]["id"] == str(world.ids["R1"])
    alert = client.get(f"/api/v1/alerts/{qualified['alert_id']}", headers=world.auth("E4"))
    assert alert.status_code == 200, "E4 is in R1: the region scope reaches it"
    body = alert.json()
    assert body["status"] == "published" and body["title"] == choice["title"]
    # Anonymity hides the establishment that was hit, not the relay that speaks for it.
    assert body["anonymous"] is True and body["affected"] is None
    assert body["source"]["id"] == str(world.ids["R1"])
    assert body["tlp"] == "amber" and body["scope"]["area_id"] == str(world.ids["R1"])
    assert body["origin"]["malware_family"] == "LockBit 3.0"
    assert {i["value"] for i in body["indicators"]} == {"evil.example.com", "203.0.113.7"}
    relay_view = client.get(f"/api/v1/alerts/{qualified['alert_id']}", headers=world.auth("R1"))
    assert relay_view.json()["source"]["id"] == str(world.ids["R1"])
    assert relay_view.json()["affected"]["id"] == str(world.ids["E1"])
    declarant_view = client.get(f"/api/v1/alerts/{qualified['alert_id']}", headers=world.auth("E1"))
    assert declarant_view.json()["affected"]["id"] == str(world.ids["E1"])
    outside = client.get(f"/api/v1/alerts/{qualified['alert_id']}", headers=world.auth("E5"))
    assert outside.status_code == 404


def test_security_officers_of_relays_qualify_too(client: TestClient, world: World) -> None:
    declaration = declare(client, world)
    response = client.post(
        f"{URL}/{declaration['id']}/qualify",
        json={"scope": {"kind": "group"}},
        headers=world.auth("G1"),
    )
    assert response.status_code == 200, response.text
    alert_id = response.json()["alert_id"]
    assert client.get(f"/api/v1/alerts/{alert_id}", headers=world.auth("E2")).status_code == 200
    assert client.get(f"/api/v1/alerts/{alert_id}", headers=world.auth("E4")).status_code == 404
    again = client.post(f"{URL}/{declaration['id']}/qualify", json={}, headers=world.auth("R1"))
    assert again.status_code == 409


def test_who_may_not_qualify(client: TestClient, world: World, state: AppState) -> None:
    outside = add_analyst(state, world, "R2")
    url = f"{URL}/{declare(client, world)['id']}/qualify"
    assert client.post(url, json={}, headers=world.auth(outside)).status_code == 404
    assert client.post(url, json={}, headers=world.auth("G2")).status_code == 404
    assert client.post(url, json={}, headers=world.auth("viewer_R1")).status_code == 403
    assert client.post(url, json={}, headers=world.auth("E1")).status_code == 403
    bad_tlp = client.post(url, json={"tlp": "purple"}, headers=world.auth("R1"))
    assert bad_tlp.status_code == 422
    assert {e["field"] for e in bad_tlp.json()["errors"]} == {"tlp"}


def test_declarant_updates_become_pending_revisions(
    client: TestClient, world: World, state: AppState
) -> None:
    analyst = add_analyst(state, world, "R1")
    declaration = declare(client, world)
    url = f"{URL}/{declaration['id']}"
    alert_id = client.post(f"{url}/qualify", json={}, headers=world.auth(analyst)).json()[
        "alert_id"
    ]
    new_indicators = [*declaration["indicators"], {"type": "domain", "value": "c2.example.net"}]
    edited = client.patch(
        url, json={"indicators": new_indicators, "note": "new C2 found"}, headers=world.auth("E1")
    )
    assert edited.status_code == 200, edited.text
    proposals = client.get(f"{url}/proposals", headers=world.auth(analyst)).json()
    assert len(proposals) == 1 and proposals[0]["status"] == "pending"
    assert proposals[0]["fields"] == ["indicators"]
    alert = client.get(f"/api/v1/alerts/{alert_id}", headers=world.auth("E2")).json()
    assert alert["revision"] == 1, "nothing reaches peers before the relay applies it"
    apply_url = f"{url}/proposals/{proposals[0]['id']}/apply"
    assert client.post(apply_url, headers=world.auth("G1")).status_code == 403
    applied = client.post(apply_url, headers=world.auth(analyst))
    assert applied.status_code == 200, applied.text
    assert applied.json()["revision"] == 2
    assert "c2.example.net" in {i["value"] for i in applied.json()["indicators"]}
    revisions = client.get(f"/api/v1/alerts/{alert_id}/revisions", headers=world.auth("E2"))
    assert revisions.json()[-1]["note"] == "new C2 found"
    assert client.post(apply_url, headers=world.auth(analyst)).status_code == 409
    history = client.get(f"{url}/history", headers=world.auth("E1")).json()
    assert [h["action"] for h in history] == ["create", "qualify", "edit", "apply_revision"]


def test_identity_changes_are_not_proposed(client: TestClient, world: World) -> None:
    declaration = declare(client, world)
    url = f"{URL}/{declaration['id']}"
    client.post(f"{url}/qualify", json={}, headers=world.auth("R1"))
    patch = {"identity": {"declarant": {"name": "Someone else"}}}
    assert client.patch(url, json=patch, headers=world.auth("E1")).status_code == 200
    assert client.get(f"{url}/proposals", headers=world.auth("R1")).json() == []
