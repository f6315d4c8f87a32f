"""The sheet, the staff notice and the director's brief, read back as people would read them
(PDF text extracted with poppler's pdftotext)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.alerts.factory import alert_body, publish
from tests.services import in_ci
from tests.web.helpers import page_token, sign_in
from tests.world import World
from tocsin.audit.models import AuditRecord
from tocsin.db import transaction
from tocsin.state import AppState

ON_CALL = {"contacts": [{"name": "Camille Martin", "role": "RSSI d'astreinte",
                         "phone": "+33612345678", "hours": "24/7"}]}  # fmt: skip


def pdf_text(body: bytes, tmp_path: Path) -> str:
    """The text of a PDF as pdftotext gives it (layout kept), or a clear skip/fail."""
    if shutil.which("pdftotext") is None:
        message = "pdftotext (poppler-utils) is not installed"
        if in_ci():
            pytest.fail(f"{message}, and CI=true requires it", pytrace=False)
        pytest.skip(f"{message}: apt-get install poppler-utils")
    path = tmp_path / "document.pdf"
    path.write_bytes(body)
    done = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          check=True)  # fmt: skip
    return done.stdout.decode()


def _relayed(client: TestClient, world: World, **changes: Any) -> dict[str, Any]:
    body = alert_body(affected_organisation=str(world.ids["E1"]), **changes)
    created = client.post("/api/v1/alerts", json=body, headers=world.auth("R1"))
    assert created.status_code == 201, created.text
    published = client.post(f"/api/v1/alerts/{created.json()['id']}/publish",
                            headers=world.auth("R1"))  # fmt: skip
    assert published.status_code == 200, published.text
    result: dict[str, Any] = published.json()
    return result


def test_the_sheet_prints_everything_marked_on_every_page_in_french(
    client: TestClient, world: World, tmp_path: Path
) -> None:
    client.put(f"/api/v1/organisations/{world.ids['E4']}/on-call", json=ON_CALL,
               headers=world.auth("E4"))  # fmt: skip
    many = [{"type": "domain", "value": f"c2-{n}.evil.example.com"} for n in range(80)]
    alert = _relayed(client, world, indicators=many)
    answer = client.get(f"/api/v1/alerts/{alert['id']}/sheet.pdf", headers=world.auth("E4"))
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"
    text = pdf_text(answer.content, tmp_path)
    pages = text.split("\f")
    pages = [p for p in pages if p.strip()]
    assert len(pages) >= 2 and all("TLP:AMBER" in p for p in pages)  # marked on every page
    assert "Établissement touché" in text and "Org E1" in text and "Org R1" in text
    assert "GRAVITÉ CRITIQUE" in text and "Hypervisors encrypted overnight." in text
    assert "c2-0[.]evil[.]example[.]com" in text and "c2-0.evil.example.com" not in text
    assert "☐ Enforce MFA on VPN" in text
    assert "Camille Martin" in text and "+33612345678" in text
    assert "urgences" in text and "imagerie" in text  # care services, in French


def test_the_staff_notice_speaks_plainly_and_names_who_to_call(
    client: TestClient, world: World, tmp_path: Path
) -> None:
    client.put(f"/api/v1/organisations/{world.ids['E4']}/on-call", json=ON_CALL,
               headers=world.auth("E4"))  # fmt: skip
    alert = _relayed(client, world, category="phishing", indicators=[
        {"type": "email", "value": "facturation@evil.example.com"},
        {"type": "filename", "value": "facture.pdf.exe"}])  # fmt: skip
    url = f"/api/v1/alerts/{alert['id']}/notice"
    text = client.get(url, params={"format": "txt"}, headers=world.auth("E4"))
    assert text.status_code == 200 and text.headers["content-type"].startswith("text/plain")
    body = text.text
    assert body.startswith("NOTE À TOUT LE PERSONNEL · TLP:AMBER")
    assert "Des messages piégés visent Org E1" in body
    assert "facturation[@]evil[.]example[.]com" in body and "facture.pdf.exe" in body
    assert "+33612345678 · Camille Martin (RSSI d'astreinte) · 24/7" in body
    html = client.get(url, params={"format": "html", "lang": "en"}, headers=world.auth("E4"))
    assert "Notice to all staff" in html.text and "<script" not in html.text
    assert html.headers["content-security-policy"].startswith("default-src 'none'")
    poster = client.get(url, params={"format": "pdf"}, headers=world.auth("E4"))
    assert "À ne pas faire" in pdf_text(poster.content, tmp_path)


def test_a_red_alert_never_becomes_a_notice_to_all_staff(client: TestClient, world: World) -> None:
    alert = publish(client, world, "E1", tlp="red",
                    scope={"kind": "explicit", "organisations": [str(world.ids["E2"])]})  # fmt: skip
    url = f"/api/v1/alerts/{alert['id']}/notice"
    refused = client.get(url, headers=world.auth("E2"))
    assert refused.status_code == 403 and "TLP:RED" in refused.json()["detail"]
    brief = client.get(url, params={"audience": "director", "format": "txt"},
                       headers=world.auth("E2"))  # fmt: skip
    assert brief.status_code == 200 and brief.text.startswith("NOTE AU DIRECTEUR · TLP:RED")
    assert client.get(url, headers=world.auth("E3")).status_code == 404  # not named


def test_the_director_brief_asks_for_decisions(
    client: TestClient, world: World, tmp_path: Path
) -> None:
    alert = _relayed(client, world)
    answer = client.get(f"/api/v1/alerts/{alert['id']}/notice",
                        params={"audience": "director", "format": "pdf"},
                        headers=world.auth("E4"))  # fmt: skip
    text = pdf_text(answer.content, tmp_path)
    assert "Décisions attendues" in text and "cellule de crise" in text
    assert "Fonctionnement en mode dégradé." in text and "3 patient(s) transféré(s)." in text


def test_a_sent_notice_is_recorded_as_edited_and_audited(
    client: TestClient, world: World, state: AppState
) -> None:
    alert = _relayed(client, world)
    url = f"/api/v1/alerts/{alert['id']}/notices"
    edited = {"audience": "staff", "language": "fr", "text": "Ne branchez aucune clé USB."}
    sent = client.post(url, json=edited, headers=world.auth("E4"))
    assert sent.status_code == 201, sent.text
    assert client.post(url, json=edited, headers=world.auth("viewer_E4")).status_code == 403
    listed = client.get(url, headers=world.auth("E4")).json()
    assert [n["text"] for n in listed] == ["Ne branchez aucune clé USB."]
    assert client.get(url, headers=world.auth("E2")).json() == []  # its own notices only
    with transaction(state.sessions) as session:
        assert session.scalar(select(AuditRecord.details["audience"].as_string()).where(
            AuditRecord.action == "notice.sent")) == "staff"  # fmt: skip


def test_documents_open_the_alert_like_every_door(client: TestClient, world: World) -> None:
    alert = publish(client, world, "E1", tlp="amber", scope={"kind": "group"})
    for path in ("sheet.pdf", "notice"):
        assert client.get(f"/api/v1/alerts/{alert['id']}/{path}",
                          headers=world.auth("E5")).status_code == 404  # fmt: skip


def test_the_alert_page_offers_the_documents_and_records_an_edited_notice(
    client: TestClient, world: World, tmp_path: Path
) -> None:
    alert = _relayed(client, world)
    sign_in(client, "so_E4")
    page = client.get(f"/alerts/{alert['id']}").text
    assert f'href="/alerts/{alert["id"]}/sheet.pdf"' in page and "Fiche imprimable" in page
    sheet = client.get(f"/alerts/{alert['id']}/sheet.pdf")
    assert sheet.status_code == 200 and "Org E1" in pdf_text(sheet.content, tmp_path)
    notice = client.get(f"/alerts/{alert['id']}/notice?audience=staff")
    assert notice.status_code == 200 and "NOTE À TOUT LE PERSONNEL" in notice.text
    edited = "Ne branchez aucune clé USB. Appelez le 0612."
    sent = client.post(f"/alerts/{alert['id']}/notice", data={
        "audience": "staff", "text": edited, "csrf_token": page_token(client)})  # fmt: skip
    assert sent.status_code == 200 and edited in sent.text  # back on the page, listed
    assert f"/alerts/{alert['id']}/notice/file?audience=staff&amp;format=pdf" in sent.text
    poster = client.get(f"/alerts/{alert['id']}/notice/file?audience=staff&format=pdf")
    assert poster.headers["content-type"] == "application/pdf"
    bad = client.get(f"/alerts/{alert['id']}/notice/file?format=doc")
    assert bad.status_code == 404
