"""Each step's document, pre-filled in the regulator's structure and in French, as JSON,
HTML and PDF (text read back with pdftotext)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from tests.briefing.test_documents import pdf_text
from tests.obligations.helpers import set_status
from tests.relay.factory import URL, declare
from tests.world import World
from tocsin.clock import ManualClock
from tocsin.state import AppState


def _steps(client: TestClient, world: World, declaration_id: str) -> dict[str, Any]:
    answer = client.get(f"{URL}/{declaration_id}/obligations", headers=world.auth("E1"))
    return {f"{o['regime']}.{o['step']}": o for o in answer.json()}


def _document(
    client: TestClient,
    world: World,
    declaration_id: str,
    step: dict[str, Any],
    kind: str,
    who: str = "E1",
) -> Any:
    url = f"{URL}/{declaration_id}/obligations/{step['id']}/document?format={kind}"
    return client.get(url, headers=world.auth(who))  # fmt: skip


def _fields(document: dict[str, Any]) -> dict[str, str]:
    return {f["libellé"]: f["valeur"] for s in document["sections"] for f in s["champs"]}


def test_the_early_warning_says_malice_and_is_due_in_paris_time(
    client: TestClient, world: World, state: AppState
) -> None:
    set_status(state, world, "E1", "essential")
    declared = declare(client, world)
    steps = _steps(client, world, declared["id"])
    answer = _document(client, world, declared["id"], steps["nis2.early_warning"], "json")
    assert answer.status_code == 200
    document = answer.json()
    assert document["document"].startswith("Alerte précoce")
    assert document["autorité"].startswith("ANSSI")
    assert document["échéance"] == "2 janv. 2026 09:00 +0100"
    fields = _fields(document)
    assert fields["Acte illicite ou malveillant suspecté"] == "oui"
    assert fields["Structure"] == "Org E1" and fields["Déclarant"] == "Camille Martin"
    assert document["changements"] is None
    # The crisis cell's relays read it too; others do not.
    assert _document(client, world, declared["id"], steps["nis2.early_warning"], "json",
                     who="R1").status_code == 200  # fmt: skip
    assert _document(client, world, declared["id"], steps["nis2.early_warning"], "json",
                     who="E4").status_code == 404  # fmt: skip


def test_the_ars_form_has_its_four_blocks_in_the_pdf(
    client: TestClient, world: World, tmp_path: Path
) -> None:
    declared = declare(client, world)
    ars = _steps(client, world, declared["id"])["ars.declaration"]
    answer = _document(client, world, declared["id"], ars, "pdf")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    text = " ".join(pdf_text(answer.content, tmp_path).split())
    for block in ("Bloc 1 : identification", "Bloc 2 : description", "Bloc 3 : conséquences",
                  "Bloc 4 : causes"):  # fmt: skip
        assert block in text
    assert "LockBit 3.0" in text and "VPN without MFA" in text
    assert "CSP L.1111-8-2" in text and "TLP:AMBER+STRICT" in text


def test_the_cnil_notification_has_its_sections_and_the_reason_of_delay(
    client: TestClient, world: World, clock: ManualClock
) -> None:
    declared = declare(client, world, impacts={
        "personal_data": True, "personal_data_categories": ["données de santé"],
        "people_concerned": 12000, "on_persons": "Risque de divulgation"})  # fmt: skip
    clock.advance(timedelta(hours=73))
    cnil = _steps(client, world, declared["id"])["cnil.notification"]
    client.post(f"{URL}/{declared['id']}/obligations/{cnil['id']}/submit",
                json={"late_reason": "Périmètre établi après expertise"},
                headers=world.auth("E1"))  # fmt: skip
    html = _document(client, world, declared["id"], cnil, "html")
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    for section in ("Nature de la violation", "Conséquences probables",
                    "Mesures d&#39;atténuation", "Motifs du retard"):  # fmt: skip
        assert section in html.text
    assert "12000" in html.text and "Périmètre établi après expertise" in html.text


def test_the_notification_shows_what_changed_since_the_early_warning(
    client: TestClient, world: World, state: AppState
) -> None:
    set_status(state, world, "E1", "important")
    declared = declare(client, world)
    steps = _steps(client, world, declared["id"])
    sent = client.post(f"{URL}/{declared['id']}/obligations/{steps['nis2.early_warning']['id']}"
                       "/submit", json={"reference": "EW-1"}, headers=world.auth("E1"))  # fmt: skip
    assert sent.status_code == 200, sent.text
    client.patch(f"{URL}/{declared['id']}", json={"severity": "high"}, headers=world.auth("E1"))
    document = _document(client, world, declared["id"], steps["nis2.notification"], "json").json()
    assert document["changements"] == [{"champ": "Gravité", "avant": "critical", "après": "high"}]
    assert _fields(document)["Gravité"] == "high"
    # What was sent stays as it was sent.
    early = _document(client, world, declared["id"], steps["nis2.early_warning"], "json").json()
    assert early["état"] == "submitted"
