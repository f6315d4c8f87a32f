"""Declaring from the browser: title and category suffice, autosave, errors kept in place."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.relay.factory import URL as DECLARATIONS
from tests.relay.factory import declaration_body
from tests.web.helpers import page_token, sign_in
from tests.world import World
from tocsin.state import AppState

EN = {"Accept-Language": "en"}


def _declarations(client: TestClient, world: World, who: str) -> list[dict[str, object]]:
    answer = client.get("/api/v1/declarations", headers=world.auth(who))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    items: list[dict[str, object]] = body["items"] if isinstance(body, dict) else body
    return items


def test_title_and_category_are_enough_and_the_relays_see_the_four_blocks(
    client: TestClient, world: World
) -> None:
    sign_in(client, "so_E1", **EN)
    form = client.get("/declare", headers=EN).text
    assert "1. Identity of the declarant" in form and "4. Causes" in form
    answer = client.post("/declare", data={
        "csrf_token": page_token(client, "/declare"), "title": "PACS encrypted",
        "category": "4", "description.summary": "Ransom note on the imaging servers.",
        "description.systems": "PACS, RIS", "impacts.care.degraded_mode": "on",
        "description.discovered_at": "2026-01-01T06:30",
    }, follow_redirects=False)  # fmt: skip
    assert answer.status_code == 303, answer.text
    declaration_id = answer.headers["location"].rsplit("/", 1)[1]
    [saved] = _declarations(client, world, "R1")
    assert saved["id"] == declaration_id and saved["title"] == "PACS encrypted"
    full = client.get(f"/api/v1/declarations/{declaration_id}", headers=world.auth("R1")).json()
    assert full["description"]["systems"] == ["PACS", "RIS"]
    assert full["impacts"]["care"]["degraded_mode"] is True
    # typed on the hub's clock (Paris, UTC+1 in winter), stored in UTC
    assert full["description"]["discovered_at"].startswith("2026-01-01T05:30")
    page = client.get(f"/declarations/{declaration_id}", headers=EN)
    assert page.status_code == 200 and "Ransom note on the imaging servers." in page.text


def test_autosave_creates_once_then_updates_the_same_declaration(
    client: TestClient, world: World
) -> None:
    sign_in(client, "so_E1", **EN)
    token = page_token(client, "/declare")
    missing = client.post("/declare/autosave", data={"csrf_token": token, "title": "Phishing"},
                          headers=EN)  # fmt: skip
    assert 'data-saved="false"' in missing.text and "a title and a category" in missing.text
    assert _declarations(client, world, "E1") == []
    first = client.post("/declare/autosave",
                        data={"csrf_token": token, "title": "Phishing", "category": "3"})  # fmt: skip
    assert 'data-saved="true"' in first.text
    declaration_id = first.headers["HX-Replace-Url"].split("/")[2]
    assert f'id="declaration-id" value="{declaration_id}" hx-swap-oob="true"' in first.text
    again = client.post("/declare/autosave", data={
        "csrf_token": token, "declaration_id": declaration_id, "title": "Phishing wave",
        "category": "3"})  # fmt: skip
    assert again.headers["HX-Replace-Url"] == f"/declarations/{declaration_id}/edit"
    [only] = _declarations(client, world, "E1")
    assert only["title"] == "Phishing wave"


def test_a_refused_field_is_shown_in_place_and_what_was_typed_is_kept(
    client: TestClient, world: World
) -> None:
    sign_in(client, "so_E1", **EN)
    answer = client.post("/declare", data={
        "csrf_token": page_token(client, "/declare"), "title": "Lateral movement",
        "category": "9", "description.perimeter": "Radiology VLAN",
    })  # fmt: skip
    assert answer.status_code == 422
    assert 'id="error-category"' in answer.text
    assert 'value="Lateral movement"' in answer.text and 'value="Radiology VLAN"' in answer.text
    assert _declarations(client, world, "E1") == []


def test_only_establishments_declare_and_outsiders_get_404(
    client: TestClient, world: World
) -> None:
    created = client.post("/api/v1/declarations", json={"title": "X", "category": 1},
                          headers=world.auth("E1"))  # fmt: skip
    assert created.status_code == 201, created.text
    sign_in(client, "so_R1", **EN)
    assert client.get("/declare", headers=EN).status_code == 404
    assert client.get(f"/declarations/{created.json()['id']}").status_code == 200
    client.post("/signout")
    sign_in(client, "so_E2", **EN)  # a peer: not in the crisis cell
    assert client.get(f"/declarations/{created.json()['id']}").status_code == 404


def test_a_relay_analyst_shares_the_declaration_as_an_alert_from_its_page(
    client: TestClient, world: World
) -> None:
    created = client.post("/api/v1/declarations", headers=world.auth("E1"), json={
        "title": "Ransomware on the PACS", "category": 4, "anonymous": True,
        "description": {"summary": "Imaging servers encrypted overnight."}})  # fmt: skip
    assert created.status_code == 201, created.text
    declaration_id = created.json()["id"]
    sign_in(client, "so_E1", **EN)  # the declarant sees its page, without the relay's form
    assert 'id="qualify"' not in client.get(f"/declarations/{declaration_id}").text
    client.post("/signout")
    sign_in(client, "so_R1", **EN)
    page = client.get(f"/declarations/{declaration_id}", headers=EN).text
    assert 'id="qualify"' in page and "Imaging servers encrypted overnight." in page
    answer = client.post(f"/declarations/{declaration_id}/qualify", data={
        "csrf_token": page_token(client, f"/declarations/{declaration_id}"),
        "title": "Ransomware on a hospital PACS", "summary": "Imaging servers encrypted.",
        "tlp": "amber", "scope": "region", "anonymous": "on"}, follow_redirects=False)  # fmt: skip
    assert answer.status_code == 303, answer.text
    alert_id = answer.headers["location"].rsplit("/", 1)[1]
    shared = client.get(f"/api/v1/alerts/{alert_id}", headers=world.auth("E2"))
    assert shared.status_code == 200 and shared.json()["title"] == "Ransomware on a hospital PACS"
    # Anonymous: the peers learn that the region speaks, not which hospital was hit.
    assert shared.json()["affected"] is None
    assert shared.json()["source"]["id"] == str(world.ids["R1"])
    assert 'id="qualify"' not in client.get(f"/declarations/{declaration_id}").text


def test_the_relay_publishes_the_declarants_update_from_the_declaration_page(
    client: TestClient, world: World
) -> None:
    url = "/api/v1/declarations"
    declaration = client.post(url, json={"title": "C2 beaconing", "category": 3},
                              headers=world.auth("E1")).json()  # fmt: skip
    alert_id = client.post(f"{url}/{declaration['id']}/qualify", json={},
                           headers=world.auth("R1")).json()["alert_id"]  # fmt: skip
    indicators = [{"type": "domain", "value": "c2.example.net"}]
    edited = client.patch(f"{url}/{declaration['id']}", headers=world.auth("E1"),
                          json={"indicators": indicators, "note": "new C2 found"})  # fmt: skip
    assert edited.status_code == 200, edited.text
    [proposal] = client.get(f"{url}/{declaration['id']}/proposals", headers=world.auth("R1")).json()
    sign_in(client, "so_G1", **EN)  # a relay, but not the one that shared the alert
    assert "Publish this update" not in client.get(f"/declarations/{declaration['id']}").text
    client.post("/signout")
    sign_in(client, "so_R1", **EN)
    page = client.get(f"/declarations/{declaration['id']}", headers=EN).text
    assert f'id="proposal-{proposal["id"]}"' in page and "Publish this update" in page
    applied = client.post(
        f"/declarations/{declaration['id']}/proposals/{proposal['id']}/apply",
        data={"csrf_token": page_token(client, f"/declarations/{declaration['id']}")},
        follow_redirects=False,
    )
    assert applied.status_code == 303 and applied.headers["location"] == f"/alerts/{alert_id}"
    alert = client.get(f"/api/v1/alerts/{alert_id}", headers=world.auth("E2")).json()
    assert alert["revision"] == 2
    assert "c2.example.net" in {i["value"] for i in alert["indicators"]}


def test_the_relay_sees_which_establishment_declared_and_peers_see_it_hit(
    client: TestClient, world: World, state: AppState
) -> None:
    created = client.post(DECLARATIONS, json=declaration_body(title="Encrypted PACS"),
                          headers=world.auth("E1"))  # fmt: skip
    assert created.status_code == 201, created.text
    declaration_id = created.json()["id"]
    sign_in(client, "so_R1", **EN)
    board = client.get("/relay", headers=EN).text
    row = board.split(f'id="waiting-{declaration_id}"')[1].split("</tr>")[0]
    assert "Org E1" in row
    page = client.get(f"/declarations/{declaration_id}", headers=EN).text
    assert "Declared by <strong>Org E1</strong>" in page
    shared = client.post(f"{DECLARATIONS}/{declaration_id}/qualify", json={"tlp": "amber"},
                         headers=world.auth("R1"))  # fmt: skip
    assert shared.status_code == 200, shared.text
    peer = TestClient(client.app)
    sign_in(peer, "so_E4", **EN)
    alert_page = peer.get(f"/alerts/{shared.json()['alert_id']}", headers=EN).text
    assert '<dd id="affected">Org E1</dd>' in alert_page
    assert "Org R1" in alert_page.split("Published by")[1].split("</dd>")[0]
