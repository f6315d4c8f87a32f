"""A declaration drafted under stress: autosaved, found again after a reload, completed.

Indicators come from pasted text, attack steps one a line; only the declaring
establishment's security officers change it; everyone else meets a refusal.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.web.helpers import page_token, sign_in
from tests.world import World

EN = {"Accept-Language": "en"}
PASTE = "Seen from 198.51.100[.]7, beacon to hxxp://c2[.]example[.]net/x"
STEPS = "2025-06-02 07:30 T1566 Phishing e-mail opened\nT1486 Imaging servers encrypted"


def _autosave(client: TestClient, token: str, **fields: str) -> str:
    """Autosave the fields; the declaration's id, read from the address htmx will show."""
    answer = client.post("/declare/autosave", data={"csrf_token": token, **fields}, headers=EN)
    assert answer.status_code == 200 and 'data-saved="true"' in answer.text, answer.text
    return answer.headers["HX-Replace-Url"].split("/")[2]


def _full(client: TestClient, world: World, declaration_id: str, who: str = "R1") -> Any:
    answer = client.get(f"/api/v1/declarations/{declaration_id}", headers=world.auth(who))
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_a_draft_survives_a_reload_with_every_block_indicators_and_steps(
    client: TestClient, world: World
) -> None:
    sign_in(client, "so_E1", **EN)
    token = page_token(client, "/declare")
    declaration_id = _autosave(
        client, token, title="Ransomware in imaging", category="4", nature="malicious",
        **{"description.summary": "Ransom note on the PACS.", "impacts.care.services": "imaging",
           "identity.declarant.name": "Dr Martin", "causes.threat_actor": "LockBit affiliate",
           "attack_steps": STEPS, "paste": PASTE},
    )  # fmt: skip
    full = _full(client, world, declaration_id)
    assert full["nature"] == "malicious" and full["impacts"]["care"]["services"] == ["imaging"]
    assert {(i["type"], i["value"]) for i in full["indicators"]} == {
        ("ipv4", "198.51.100.7"), ("url", "http://c2.example.net/x")}  # fmt: skip
    first, second = full["attack_steps"]
    # typed on the hub's clock (Paris, UTC+2 in summer), stored in UTC, shown back as typed
    assert first["technique"] == "T1566" and first["at"].startswith("2025-06-02T05:30")
    assert second == {"technique": "T1486", "description": "Imaging servers encrypted", "at": None}
    # The reload: the address the autosave gave brings the whole draft back into the form.
    form = client.get(f"/declarations/{declaration_id}/edit", headers=EN)
    assert form.status_code == 200
    for typed in ('value="Ransomware in imaging"', 'value="Dr Martin"', "Ransom note on the PACS.",
                  "2025-06-02 07:30 T1566 Phishing e-mail opened", 'value="LockBit affiliate"',
                  f'id="declaration-id" value="{declaration_id}"'):  # fmt: skip
        assert typed in form.text, typed
    assert 'name="impacts.care.services" value="imaging" checked' in form.text
    assert 'value="url http://c2.example.net/x" aria-label="http://c2.example.net/x" checked' in (
        form.text
    )
    assert f'href="/declarations/{declaration_id}/edit"' in client.get("/declare").text
    assert 'id="continue"' in client.get(f"/declarations/{declaration_id}", headers=EN).text


def test_completing_keeps_what_the_form_does_not_show_and_clears_what_was_emptied(
    client: TestClient, world: World
) -> None:
    created = client.post("/api/v1/declarations", headers=world.auth("E1"), json={
        "title": "Phishing", "category": 3, "anonymous": True,
        "causes": {"description": "A user clicked."},
        "indicators": [{"type": "domain", "value": "evil.example", "comment": "sender domain"}],
    })  # fmt: skip
    assert created.status_code == 201, created.text
    declaration_id = created.json()["id"]
    sign_in(client, "so_E1", **EN)
    token = page_token(client, f"/declarations/{declaration_id}/edit")
    _autosave(client, token, declaration_id=declaration_id, title="Phishing wave",
              category="3", **{"causes.description": "", "indicator": "domain evil.example",
                               "paste": "", "attack_steps": ""})  # fmt: skip
    full = _full(client, world, declaration_id)
    assert full["title"] == "Phishing wave" and full["causes"]["description"] is None
    assert full["anonymous"] is False  # the box was left unticked: no longer anonymous
    assert full["indicators"][0]["comment"] == "sender domain"
    [only] = client.get("/api/v1/declarations", headers=world.auth("E1")).json()["items"]
    assert only["id"] == declaration_id  # completed, not declared twice


def test_an_invalid_field_leaves_the_draft_unsaved_and_says_which(
    client: TestClient, world: World
) -> None:
    sign_in(client, "so_E1", **EN)
    token = page_token(client, "/declare")
    answer = client.post("/declare/autosave", headers=EN, data={
        "csrf_token": token, "title": "Phishing", "category": "3",
        "identity.declarant.email": "not an address"})  # fmt: skip
    assert 'data-saved="false"' in answer.text and "identity.declarant.email" in answer.text
    assert "HX-Replace-Url" not in answer.headers
    assert client.get("/api/v1/declarations", headers=world.auth("E1")).json()["items"] == []


def test_only_the_declarants_officers_complete_it(client: TestClient, world: World) -> None:
    created = client.post("/api/v1/declarations", json={"title": "Outage", "category": 3},
                          headers=world.auth("E1"))  # fmt: skip
    declaration_id = created.json()["id"]
    sign_in(client, "viewer_E1", **EN)
    assert client.get("/declare", headers=EN).status_code == 403
    assert client.get(f"/declarations/{declaration_id}/edit").status_code == 403
    refused = client.post("/declare/autosave", headers=EN, data={
        "csrf_token": page_token(client), "title": "Viewer's", "category": "1"})  # fmt: skip
    assert refused.status_code == 403 and "may read but not act" in refused.text
    client.post("/signout")
    sign_in(client, "so_R1", **EN)  # the relay reads it, but it is not its declaration
    assert client.get(f"/declarations/{declaration_id}/edit").status_code == 404
    client.post("/signout")
    sign_in(client, "so_E2", **EN)  # a peer establishment cannot overwrite it
    hijack = client.post("/declare/autosave", data={
        "csrf_token": page_token(client), "declaration_id": declaration_id,
        "title": "Hijacked", "category": "1"})  # fmt: skip
    assert hijack.status_code == 404
    assert _full(client, world, declaration_id)["title"] == "Outage"
    assert len(client.get("/api/v1/declarations", headers=world.auth("E1")).json()["items"]) == 1


def test_once_shared_the_form_is_no_longer_offered(client: TestClient, world: World) -> None:
    created = client.post("/api/v1/declarations", json={"title": "Outage", "category": 3},
                          headers=world.auth("E1"))  # fmt: skip
    declaration_id = created.json()["id"]
    shared = client.post(f"/api/v1/declarations/{declaration_id}/qualify", json={},
                         headers=world.auth("R1"))  # fmt: skip
    assert shared.status_code == 200, shared.text
    sign_in(client, "so_E1", **EN)
    assert 'id="continue"' not in client.get(f"/declarations/{declaration_id}", headers=EN).text
    edit = client.get(f"/declarations/{declaration_id}/edit", follow_redirects=False)
    assert edit.status_code == 303 and edit.headers["location"] == f"/declarations/{declaration_id}"
