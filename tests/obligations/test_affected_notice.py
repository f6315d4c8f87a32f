"""The notice to the people and services affected: drafted from the declaration, edited,
sent from the hub by e-mail, recorded as the step it fulfils (GDPR art. 34, NIS2 art. 23(1))."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.obligations.helpers import set_status
from tests.relay.factory import URL, declare
from tests.world import World
from tocsin.audit.models import AuditRecord
from tocsin.mailer import MemoryMailer
from tocsin.state import AppState

HIGH_RISK = {"personal_data": True, "high_risk_to_people": True,
             "personal_data_categories": ["données de santé"], "on_persons": "Divulgation"}  # fmt: skip


def test_people_get_the_edited_notice_and_the_step_is_recorded(
    client: TestClient, world: World, state: AppState
) -> None:
    mailer = state.mailer
    assert isinstance(mailer, MemoryMailer)
    declared = declare(client, world, impacts=HIGH_RISK)
    url = f"{URL}/{declared['id']}/affected-notice"
    draft = client.get(url, params={"audience": "people"}, headers=world.auth("E1")).json()
    assert "données de santé" in draft["text"] and "Divulgation" in draft["text"]
    assert "Enforce MFA on VPN" in draft["text"] and "rssi@e1.example.org" in draft["text"]
    assert draft["obligation_id"] is not None
    edited = draft["text"] + "\nUne cellule d'écoute répond au 02 00 00 00 00.\n"
    sent = client.post(url, json={"audience": "people", "subject": draft["subject"],
                                  "text": edited, "recipients": ["a@example.org", "b@example.org"]},
                       headers=world.auth("E1"))  # fmt: skip
    assert sent.status_code == 200, sent.text
    assert sent.json()["recipients"] == 2
    assert sent.json()["obligation"]["step"] == "data_subjects"
    assert sent.json()["obligation"]["status"] == "submitted"
    assert sorted(m["To"] for m in mailer.sent) == ["a@example.org", "b@example.org"]
    assert "cellule d'écoute" in mailer.sent[0].get_content()
    with state.sessions() as session:
        record = session.scalars(select(AuditRecord).where(
            AuditRecord.action == "obligation.submit")).one()  # fmt: skip
    assert record.details["file_sha256"] == sent.json()["text_sha256"]
    # Sent once: a second sending of the same step is a conflict, nothing more leaves.
    again = client.post(url, json={"audience": "people", "subject": "s", "text": "t",
                                   "recipients": ["c@example.org"]}, headers=world.auth("E1"))  # fmt: skip
    assert again.status_code == 409 and len(mailer.sent) == 2


def test_services_are_told_by_nis2_entities_only(
    client: TestClient, world: World, state: AppState
) -> None:
    mailer = state.mailer
    assert isinstance(mailer, MemoryMailer)
    declared = declare(client, world)
    url = f"{URL}/{declared['id']}/affected-notice"
    body = {"audience": "services", "subject": "s", "text": "t", "recipients": ["x@example.org"]}
    refused = client.post(url, json=body, headers=world.auth("E1"))
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "audience"
    assert mailer.sent == []
    set_status(state, world, "E1", "important")
    draft = client.get(url, params={"audience": "services"}, headers=world.auth("R1")).json()
    assert "Imaging department" in draft["text"]
    assert client.post(url, json=body, headers=world.auth("R1")).status_code == 403
    assert client.post(url, json=body, headers=world.auth("E1")).status_code == 200
    assert [m["To"] for m in mailer.sent] == ["x@example.org"]
