"""The posture API on both databases: the checklist, answers, reading rights, sign-off."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.world import World
from tocsin.audit.service import SYSTEM
from tocsin.db import transaction
from tocsin.network import service as network_service
from tocsin.network.models import Role, Scope
from tocsin.posture.defaults import DEFAULT_ITEMS
from tocsin.state import AppState

BASE = "/api/v1/posture"


def _director(state: AppState, world: World, org: str) -> dict[str, str]:
    """A director of `org` with a read+write token."""
    with transaction(state.sessions) as session:
        now = state.clock.now()
        user = network_service.create_user(
            session=session, email=f"director@{org.lower()}.example.org", display_name="Director",
            organisation_id=world.ids[org], roles=[Role.director], now=now, actor=SYSTEM,
        )  # fmt: skip
        _, secret = network_service.issue_token(
            session=session, organisation_id=world.ids[org], user_id=user.id, name="d",
            scopes=[Scope.read, Scope.write], now=now, actor=SYSTEM,
        )  # fmt: skip
    return {"Authorization": f"Bearer {secret}"}


def test_the_default_checklist_covers_the_care_domains(client: TestClient, world: World) -> None:
    items = client.get(f"{BASE}/items", headers=world.auth("E1")).json()
    assert [i["key"] for i in items] == [d.key for d in DEFAULT_ITEMS]
    assert {i["domain"] for i in items} == {
        "governance", "resilience", "awareness", "operational_security"
    }  # fmt: skip
    assert {"mfa_remote_access", "backups_321", "restore_test", "crisis_exercise"} <= {
        i["key"] for i in items
    }


def test_answers_move_the_score_and_record_who(client: TestClient, world: World) -> None:
    url = f"{BASE}/organisations/{world.ids['E1']}"
    assert client.get(url, headers=world.auth("E1")).json()["score"] == 0
    body = {"status": "done", "evidence": "Audit by ANSSI partner", "evidenced_on": None}
    answered = client.put(f"{url}/items/mfa_remote_access", json=body, headers=world.auth("E1"))
    assert answered.status_code == 200, answered.text
    posture = answered.json()
    total = sum(d.weight for d in DEFAULT_ITEMS)
    assert posture["score"] == round(100 * 2 / total)
    line = next(x for x in posture["lines"] if x["item"]["key"] == "mfa_remote_access")
    assert line["status"] == "done" and line["evidence"] == "Audit by ANSSI partner"
    assert line["updated_by"] == str(world.users["so_E1"])
    dated = client.put(
        f"{url}/items/restore_test", json={"status": "done"}, headers=world.auth("E1")
    )
    restore = next(x for x in dated.json()["lines"] if x["item"]["key"] == "restore_test")
    assert restore["stale"] is True  # a dated item needs the date of its evidence
    assert dated.json()["score"] == posture["score"]


def test_relays_read_but_never_answer_and_others_see_nothing(
    client: TestClient, world: World
) -> None:
    url = f"{BASE}/organisations/{world.ids['E1']}"
    for relay in ("G1", "R1", "N"):
        assert client.get(url, headers=world.auth(relay)).status_code == 200, relay
    for stranger in ("E2", "G2", "R2", "P"):
        assert client.get(url, headers=world.auth(stranger)).status_code == 404, stranger
    body = {"status": "done"}
    assert (
        client.put(f"{url}/items/backups_321", json=body, headers=world.auth("G1")).status_code
        == 403
    )
    assert (
        client.put(
            f"{url}/items/backups_321", json=body, headers=world.auth("viewer_E1")
        ).status_code
        == 403
    )
    assert (
        client.put(f"{url}/items/no_such_item", json=body, headers=world.auth("E1")).status_code
        == 404
    )
    bad = client.put(f"{url}/items/backups_321", json={"status": "maybe"}, headers=world.auth("E1"))
    assert bad.status_code == 422


def test_only_the_director_signs_off(client: TestClient, world: World, state: AppState) -> None:
    url = f"{BASE}/organisations/{world.ids['E1']}"
    client.put(f"{url}/items/backups_321", json={"status": "done"}, headers=world.auth("E1"))
    assert client.post(f"{url}/signoff", json={}, headers=world.auth("E1")).status_code == 403
    director = _director(state, world, "E1")
    signed = client.post(f"{url}/signoff", json={"note": "Board of March"}, headers=director)
    assert signed.status_code == 201, signed.text
    score = client.get(url, headers=director).json()
    assert score["last_signoff"]["score"] == score["score"] > 0
    assert score["last_signoff"]["note"] == "Board of March"
    other = client.post(
        f"{BASE}/organisations/{world.ids['E2']}/signoff", json={}, headers=director
    )
    assert other.status_code == 404


def test_the_national_cert_edits_the_checklist(client: TestClient, world: World) -> None:
    item = {"key": "edr_coverage", "domain": "operational_security",
            "title_fr": "EDR sur tous les postes", "title_en": "EDR on every workstation",
            "weight": 2, "position": 5}  # fmt: skip
    assert client.post(f"{BASE}/items", json=item, headers=world.auth("E1")).status_code == 403
    assert client.post(f"{BASE}/items", json=item, headers=world.auth("R1")).status_code == 403
    created = client.post(f"{BASE}/items", json=item, headers=world.auth("N"))
    assert created.status_code == 201, created.text
    assert client.post(f"{BASE}/items", json=item, headers=world.auth("N")).status_code == 409
    keys = [i["key"] for i in client.get(f"{BASE}/items", headers=world.auth("E1")).json()]
    assert keys[1] == "edr_coverage"  # position 5 sits between 0 and 10
    retired = client.patch(
        f"{BASE}/items/edr_coverage", json={"active": False}, headers=world.auth("N")
    )
    assert retired.status_code == 200 and retired.json()["active"] is False
    keys = [i["key"] for i in client.get(f"{BASE}/items", headers=world.auth("E1")).json()]
    assert "edr_coverage" not in keys
    renamed = client.patch(f"{BASE}/items/backups_321", json={"title_en": "Backups 3-2-1-1-0"},
                           headers=world.auth("N"))  # fmt: skip
    assert renamed.json()["title_en"] == "Backups 3-2-1-1-0"
