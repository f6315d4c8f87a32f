"""The declaration read as text, the relay's qualification with its edits, and the
automatic-sharing settings chosen on the declaration form."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.relay.factory import declare
from tests.web.helpers import page_token, sign_in
from tests.world import World

FR = {"Accept-Language": "fr"}


def test_the_four_blocks_read_as_labelled_french_text(client: TestClient, world: World) -> None:
    declaration = declare(client, world)
    sign_in(client, "so_R1", **FR)
    page = client.get(f"/declarations/{declaration['id']}", headers=FR).text
    assert '"declarant": {' not in page and "essential_services_operator" not in page
    assert "handling_status" not in page and '<pre class="block"' not in page
    labels = page.split('id="declaration-labels"')[1].split("</p>")[0]
    assert "Organisation régionale ou nationale des soins" in labels
    assert "en attente du relais" in labels and "critique" in labels
    identity = page.split('id="block-identity"')[1].split("</section>")[0]
    assert "<dt>Nom</dt><dd>Camille Martin</dd>" in identity
    impacts = page.split('id="block-impacts"')[1].split("</section>")[0]
    assert "imagerie, urgences" in impacts and "<dd>oui</dd>" in impacts
    described = page.split('id="block-description"')[1].split("</section>")[0]
    assert "1 janv. 2026 08:00" in described and "en cours" in described
    # the relay sees the declaration whole before sharing it
    assert 'id="declaration-indicators"' in page and "203.0.113.7" in page
    assert "Enforce MFA on VPN" in page


def test_the_relay_qualifies_with_its_own_edits(client: TestClient, world: World) -> None:
    declaration = declare(client, world)
    sign_in(client, "so_R1", **FR)
    url = f"/declarations/{declaration['id']}"
    form = client.get(url, headers=FR).text.split('id="qualify"')[1]
    for field in ("q-title", "q-summary", "q-severity", "q-tlp", "q-scope", "q-anonymous"):
        assert f'id="{field}"' in form, field
    answer = client.post(f"{url}/qualify", data={
        "csrf_token": page_token(client, url), "title": "Rançongiciel sur un PACS",
        "summary": "Serveurs d'imagerie chiffrés.", "severity": "high", "tlp": "green",
        "scope": "national", "parts_chosen": "1", "include": ["indicators"]},
        follow_redirects=False)  # fmt: skip
    assert answer.status_code == 303, answer.text
    alert_id = answer.headers["location"].rsplit("/", 1)[1]
    shared = client.get(f"/api/v1/alerts/{alert_id}", headers=world.auth("E2")).json()
    assert shared["title"] == "Rançongiciel sur un PACS"
    assert shared["severity"] == "high" and shared["tlp"] == "green"
    assert shared["scope"]["kind"] == "national"
    assert shared["affected"]["id"] == str(world.ids["E1"])  # not ticked: named
    assert {i["value"] for i in shared["indicators"]} == {"evil.example.com", "203.0.113.7"}
    assert shared["countermeasures"] == [] and shared["origin"]["malware_family"] is None


def test_the_automatic_sharing_settings_are_on_the_declaration_form(
    client: TestClient, world: World
) -> None:
    sign_in(client, "so_E1", **FR)
    form = client.get("/declare", headers=FR).text
    assert 'id="auto-share"' in form and "Si aucun relais ne la partage à temps" in form
    answer = client.post("/declare", data={
        "csrf_token": page_token(client, "/declare"), "title": "PACS chiffré",
        "category": "4", "auto_share.parts": ["", "indicators"],
        "auto_share.tlp": "green", "auto_share.scope": "group"},
        follow_redirects=False)  # fmt: skip
    assert answer.status_code == 303, answer.text
    declaration_id = answer.headers["location"].rsplit("/", 1)[1]
    stored = client.get(f"/api/v1/declarations/{declaration_id}", headers=world.auth("E1"))
    assert stored.json()["auto_share"] == {
        "parts": ["indicators"],
        "tlp": "green",
        "scope": "group",
        "anonymous": False,
    }
    again = client.get(f"/declarations/{declaration_id}/edit", headers=FR).text
    kept = again.split('id="auto-share"')[1].split("</fieldset>")[0]
    assert 'value="indicators" checked' in kept and 'value="countermeasures" checked' not in kept
