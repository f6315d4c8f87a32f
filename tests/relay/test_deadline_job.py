"""Automatic publication at the relay deadline, driven by the manual clock."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.relay.factory import URL, declare
from tests.world import World
from tocsin.app import node_jobs
from tocsin.audit.models import AuditRecord
from tocsin.clock import ManualClock
from tocsin.relay.publishing import AUTO_NOTE
from tocsin.relay.tasks import DEADLINE_JOB, deadline_tick
from tocsin.state import AppState


def test_the_job_is_scheduled() -> None:
    assert DEADLINE_JOB in node_jobs()


def test_silent_relays_get_the_shareable_part_published(
    client: TestClient, world: World, state: AppState, clock: ManualClock
) -> None:
    declaration = declare(client, world, severity="critical")
    clock.advance(timedelta(minutes=29, seconds=59))
    assert deadline_tick(state) == []
    clock.advance(timedelta(seconds=1))
    assert [str(i) for i in deadline_tick(state)] == [declaration["id"]]
    assert deadline_tick(state) == [], "published once, never twice"

    url = f"{URL}/{declaration['id']}"
    stored = client.get(url, headers=world.auth("E1")).json()
    assert stored["status"] == "auto_published"
    assert stored["auto_published_at"] == "2026-01-01T08:30:00Z"
    alert = client.get(f"/api/v1/alerts/{stored['alert_id']}", headers=world.auth("E4")).json()
    # In the hub's language (French by default), with the declarant's own summary.
    assert alert["title"] == "Incident (rançongiciel) déclaré par un établissement du réseau"
    assert alert["summary"].startswith("PACS servers encrypted; ransom note found.\n\n")
    assert "publiée automatiquement" in alert["summary"]
    assert "résumé du déclarant, indicateurs" in alert["summary"]
    # The declarant asked not to be named: a peer learns which relay published, not who was hit.
    assert alert["tlp"] == "amber" and alert["anonymous"] is True and alert["affected"] is None
    assert alert["source"]["id"] == str(world.ids["R1"])
    for relay in ("R1", "G1"):
        seen = client.get(f"/api/v1/alerts/{alert['id']}", headers=world.auth(relay)).json()
        assert seen["affected"]["id"] == str(world.ids["E1"]), relay
    assert "Camille" not in alert["title"] and "Org E1" not in alert["title"]
    assert alert["origin"] == {
        "initial_access": "VPN without MFA",
        "malware_family": "LockBit 3.0",
        "threat_actor": "unknown affiliate",
    }
    assert len(alert["indicators"]) == 2 and alert["countermeasures"]
    assert alert["attack_steps"] == [] and alert["care_impact"]["services"] == [], "not approved"
    revisions = client.get(f"/api/v1/alerts/{alert['id']}/revisions", headers=world.auth("R1"))
    assert revisions.json()[0]["note"] == AUTO_NOTE
    history = client.get(f"{url}/history", headers=world.auth("R1")).json()
    assert history[-1]["action"] == "auto_publish"
    log = client.get(f"{url}/log", headers=world.auth("G1")).json()
    assert any(AUTO_NOTE in entry["text"] for entry in log)
    with state.sessions() as session:
        events = session.scalars(
            select(AuditRecord.details).where(
                AuditRecord.action == "declaration.notify",
                AuditRecord.target_id == declaration["id"],
            )
        ).all()
    assert [e["event"] for e in events] == ["declared", "auto_published"]
    outside = client.get(f"/api/v1/alerts/{alert['id']}", headers=world.auth("E5"))
    assert outside.status_code == 404, "TLP:AMBER to its region only"


def test_qualified_or_closed_declarations_are_left_alone(
    client: TestClient, world: World, state: AppState, clock: ManualClock
) -> None:
    qualified = declare(client, world, severity="critical")
    client.post(f"{URL}/{qualified['id']}/qualify", json={}, headers=world.auth("G1"))
    closed = declare(client, world, severity="critical")
    resolution = {"ended_at": "2026-01-01T08:00:00Z", "summary": "False alarm"}
    client.post(f"{URL}/{closed['id']}/close", json=resolution, headers=world.auth("E1"))
    low = declare(client, world, severity="low")
    assert low["relay_deadline"] is None
    clock.advance(timedelta(days=2))
    assert deadline_tick(state) == []


def test_deadlines_come_from_the_settings(
    client: TestClient, world: World, state: AppState, clock: ManualClock
) -> None:
    state.settings.relay_deadline_high_minutes = 10
    declaration = declare(client, world, severity="high", auto_share={"anonymous": False})
    assert declaration["relay_deadline"] == "2026-01-01T08:10:00Z"
    clock.advance(timedelta(minutes=10))
    assert len(deadline_tick(state)) == 1
    alert_id = client.get(f"{URL}/{declaration['id']}", headers=world.auth("E1")).json()["alert_id"]
    alert = client.get(f"/api/v1/alerts/{alert_id}", headers=world.auth("E2")).json()
    assert "Org E1" in alert["title"], "the declarant allowed naming it"
    assert alert["indicators"] and alert["origin"]["malware_family"] == "LockBit 3.0"


def test_an_auto_share_that_could_never_go_out_is_refused(client: TestClient, world: World) -> None:
    for share in ({"tlp": "red"}, {"scope": "explicit"}, {"parts": ["passwords"]}):
        refused = client.post(
            URL, json={"title": "x", "category": 1, "auto_share": share}, headers=world.auth("E1")
        )
        assert refused.status_code == 422, share
        assert refused.json()["errors"][0]["field"].startswith("auto_share"), share


def test_an_english_hub_publishes_in_english_and_names_who_did_not_ask_anonymity(
    client: TestClient, world: World, state: AppState, clock: ManualClock
) -> None:
    state.settings = state.settings.model_copy(update={"language": "en"})
    share = {"anonymous": False, "parts": ["indicators"]}
    declaration = declare(client, world, severity="critical", auto_share=share)
    clock.advance(timedelta(minutes=30))
    assert [str(i) for i in deadline_tick(state)] == [declaration["id"]]
    stored = client.get(f"{URL}/{declaration['id']}", headers=world.auth("E1")).json()
    answer = client.get(f"/api/v1/alerts/{stored['alert_id']}", headers=world.auth("E4"))
    assert answer.status_code == 200, answer.text
    alert = answer.json()
    assert alert["title"] == "Incident (ransomware) declared by Org E1"
    assert alert["summary"].startswith("No relay qualified this declaration")
    assert "PACS servers" not in alert["summary"], "the summary was not among the parts shared"
