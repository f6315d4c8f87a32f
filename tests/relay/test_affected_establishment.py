"""The establishment a relay speaks for: named on the alert, hidden when it asked, never
chased for its own incident."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from tests.alerts.factory import alert_body
from tests.relay.factory import URL, add_analyst, declare
from tests.world import World
from tocsin.clock import ManualClock
from tocsin.responses import escalation
from tocsin.state import AppState


def _qualify(client: TestClient, world: World, state: AppState, **declared: object) -> str:
    analyst = add_analyst(state, world, "R1")
    declaration = declare(client, world, severity="critical", **declared)
    answer = client.post(f"{URL}/{declaration['id']}/qualify", json={"tlp": "amber"},
                         headers=world.auth(analyst))  # fmt: skip
    assert answer.status_code == 200, answer.text
    return str(answer.json()["alert_id"])


def _read(client: TestClient, world: World, alert_id: str, who: str) -> dict[str, object]:
    answer = client.get(f"/api/v1/alerts/{alert_id}", headers=world.auth(who))
    assert answer.status_code == 200, (who, answer.text)
    body: dict[str, object] = answer.json()
    return body


def test_every_reader_learns_which_hospital_was_hit_and_who_published(
    client: TestClient, world: World, state: AppState
) -> None:
    alert_id = _qualify(client, world, state, anonymous=False)
    for who in ("E2", "E4", "G2", "R1", "N"):
        body = _read(client, world, alert_id, who)
        assert body["affected"] == {"id": str(world.ids["E1"]), "name": "Org E1",
                                    "kind": "establishment"}, who  # fmt: skip
        assert body["source"]["id"] == str(world.ids["R1"]), who  # type: ignore[index]
    listed = client.get("/api/v1/alerts", headers=world.auth("E4")).json()["items"]
    assert listed[0]["affected"]["name"] == "Org E1"


def test_an_anonymous_declarant_is_named_to_itself_and_its_relays_only(
    client: TestClient, world: World, state: AppState
) -> None:
    alert_id = _qualify(client, world, state, anonymous=True)
    for who in ("E1", "G1", "R1", "N"):
        assert _read(client, world, alert_id, who)["affected"]["name"] == "Org E1", who  # type: ignore[index]
    for who in ("E2", "E4", "G2"):
        assert _read(client, world, alert_id, who)["affected"] is None, who
    revisions = client.get(f"/api/v1/alerts/{alert_id}/revisions", headers=world.auth("E4"))
    assert all(r["document"]["affected_organisation"] is None for r in revisions.json())
    assert str(world.ids["E1"]) not in revisions.text


def test_the_declarant_reads_the_alert_but_is_never_chased_for_its_own_incident(
    client: TestClient, world: World, state: AppState, clock: ManualClock
) -> None:
    alert_id = _qualify(client, world, state, anonymous=False)
    table = client.get(f"/api/v1/alerts/{alert_id}/responses", headers=world.auth("R1")).json()
    owing = {world.name_of(r["organisation"]["id"]) for r in table["responses"]}
    assert owing == {"E2", "E3", "E4"}  # neither E1 (hit) nor the groups (they oversee)
    own = client.put(f"/api/v1/alerts/{alert_id}/response", json={"acknowledged": True},
                     headers=world.auth("E1"))  # fmt: skip
    assert own.status_code == 403
    clock.advance(timedelta(hours=3))
    fired = escalation.run_once(state)
    assert fired and world.ids["E1"] not in {n.org_id for n in fired}


def test_only_the_establishment_or_its_relays_name_it_as_affected(
    client: TestClient, world: World
) -> None:
    e1 = str(world.ids["E1"])
    refused = client.post("/api/v1/alerts", json=alert_body(affected_organisation=e1),
                          headers=world.auth("E2"))  # fmt: skip
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "affected_organisation"
    outside = client.post("/api/v1/alerts", json=alert_body(affected_organisation=e1),
                          headers=world.auth("R2"))  # fmt: skip
    assert outside.status_code == 422
    own = client.post("/api/v1/alerts", json=alert_body(affected_organisation=e1),
                      headers=world.auth("E1"))  # fmt: skip
    assert own.status_code == 201 and own.json()["affected"]["id"] == e1
    relay = client.post("/api/v1/alerts", json=alert_body(affected_organisation=e1),
                        headers=world.auth("G1"))  # fmt: skip
    assert relay.status_code == 201 and relay.json()["affected"]["id"] == e1
