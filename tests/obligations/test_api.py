"""The organisation's status, the moment of awareness, and the obligations through the API."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.obligations.helpers import set_status
from tests.relay.factory import URL, declare
from tests.world import World
from tocsin.audit.models import AuditRecord
from tocsin.clock import ManualClock
from tocsin.obligations.models import RegulatoryObligation
from tocsin.relay.models import Declaration
from tocsin.state import AppState

PERSONAL = {
    "personal_data": True,
    "personal_data_categories": ["données de santé", "identité"],
    "people_concerned": 12000,
}


def _steps(
    client: TestClient, world: World, declaration_id: str, who: str = "E1"
) -> dict[str, Any]:
    response = client.get(f"{URL}/{declaration_id}/obligations", headers=world.auth(who))
    assert response.status_code == 200, response.text
    return {f"{o['regime']}.{o['step']}": o for o in response.json()}


def _submit(
    client: TestClient,
    world: World,
    declaration_id: str,
    step: dict[str, Any],
    who: str = "E1",
    **body: Any,
) -> Any:
    url = f"{URL}/{declaration_id}/obligations/{step['id']}/submit"
    return client.post(url, json=body, headers=world.auth(who))  # fmt: skip


def test_organisations_show_and_take_their_nis2_status(client: TestClient, world: World) -> None:
    shown = client.get(f"/api/v1/organisations/{world.ids['E1']}", headers=world.auth("E1"))
    assert shown.json()["nis2"] == "none" and shown.json()["csp_health"] is True
    region = client.get(f"/api/v1/organisations/{world.ids['R1']}", headers=world.auth("E1"))
    assert region.json()["csp_health"] is False
    created = client.post(
        "/api/v1/organisations",
        json={"name": "CHU du Test", "kind": "establishment", "finess": "759900009",
              "group_id": str(world.ids["G1"]), "region_id": str(world.ids["R1"]),
              "nis2": "essential"},
        headers=world.auth("admin"),
    )  # fmt: skip
    assert created.status_code == 201, created.text
    assert created.json()["nis2"] == "essential"
    again = client.get(f"/api/v1/organisations/{created.json()['id']}", headers=world.auth("E1"))
    assert again.json()["nis2"] == "essential"


def test_awareness_defaults_to_the_declaration_time_and_keeps_personal_data(
    client: TestClient, world: World
) -> None:
    plain = declare(client, world)
    assert plain["aware_at"] == plain["created_at"] == "2026-01-01T08:00:00Z"
    body = declare(client, world, aware_at="2026-01-01T06:30:00+01:00",
                   impacts=PERSONAL | {"high_risk_to_people": True})  # fmt: skip
    assert body["aware_at"] == "2026-01-01T05:30:00Z"
    assert body["impacts"]["people_concerned"] == 12000
    assert body["impacts"]["personal_data_categories"] == ["données de santé", "identité"]


def test_bad_awareness_is_refused_by_field_and_nothing_is_recorded(
    client: TestClient, world: World, state: AppState
) -> None:
    def count() -> int:
        with state.sessions() as session:
            return session.scalar(select(func.count()).select_from(Declaration)) or 0

    future = client.post(URL, json={"title": "x", "category": 3, "aware_at": "2026-01-02T08:00:00Z"},
                         headers=world.auth("E1"))  # fmt: skip
    assert future.status_code == 422
    assert future.json()["errors"] == [{"field": "aware_at", "reason": "is in the future"}]
    before_start = client.post(URL, json={
        "title": "x", "category": 3, "aware_at": "2025-12-30T08:00:00Z",
        "description": {"started_at": "2025-12-31T08:00:00Z"}}, headers=world.auth("E1"))  # fmt: skip
    assert before_start.status_code == 422
    assert before_start.json()["errors"][0]["field"] == "aware_at"
    naive = client.post(URL, json={"title": "x", "category": 3, "aware_at": "2026-01-01T07:00:00"},
                        headers=world.auth("E1"))  # fmt: skip
    assert naive.status_code == 422
    assert count() == 0
    declared = declare(client, world)
    patch = client.patch(f"{URL}/{declared['id']}", json={"aware_at": "2027-01-01T00:00:00Z"},
                         headers=world.auth("E1"))  # fmt: skip
    assert patch.status_code == 422
    assert client.get(f"{URL}/{declared['id']}", headers=world.auth("E1")).json()["version"] == 1


def test_an_essential_entity_gets_every_clock_from_awareness(
    client: TestClient, world: World, state: AppState
) -> None:
    set_status(state, world, "E1", "essential")
    declared = declare(client, world, aware_at="2026-01-01T06:00:00Z", impacts=PERSONAL)
    steps = _steps(client, world, declared["id"])
    assert list(steps) == [
        "nis2.early_warning", "nis2.notification", "nis2.intermediate_report",
        "nis2.final_report", "nis2.recipients_notice", "cnil.notification", "ars.declaration",
    ]  # fmt: skip
    assert steps["nis2.early_warning"]["due_at"] == "2026-01-02T06:00:00Z"
    assert steps["nis2.notification"]["due_at"] == "2026-01-04T06:00:00Z"
    assert steps["cnil.notification"]["due_at"] == "2026-01-04T06:00:00Z"
    assert steps["ars.declaration"]["due_at"] == "2026-01-02T06:00:00Z"
    assert steps["nis2.final_report"]["status"] == "waiting"
    assert steps["nis2.intermediate_report"]["status"] == "on_request"
    assert steps["nis2.early_warning"]["status"] == "running"
    assert "Indicateurs de compromission disponibles" in steps["nis2.notification"]["contents"]
    assert steps["cnil.notification"]["source"].startswith("RGPD")
    # The relays of the crisis cell see them; a stranger does not.
    assert _steps(client, world, declared["id"], who="R1") == steps
    assert (
        client.get(f"{URL}/{declared['id']}/obligations", headers=world.auth("E4")).status_code
        == 404
    )
    # Moving the moment of awareness moves the clocks that are still running.
    client.patch(f"{URL}/{declared['id']}", json={"aware_at": "2026-01-01T07:00:00Z"},
                 headers=world.auth("E1"))  # fmt: skip
    assert (
        _steps(client, world, declared["id"])["nis2.early_warning"]["due_at"]
        == "2026-01-02T07:00:00Z"
    )


def test_none_status_without_personal_data_only_declares_to_the_ars(
    client: TestClient, world: World
) -> None:
    declared = declare(client, world, impacts={"personal_data": False})
    assert list(_steps(client, world, declared["id"])) == ["ars.declaration"]


def test_submitting_the_notification_starts_the_final_report_a_calendar_month_later(
    client: TestClient, world: World, state: AppState, clock: ManualClock
) -> None:
    set_status(state, world, "E1", "important")
    clock.set(clock.now().replace(month=1, day=29))
    declared = declare(client, world, aware_at="2026-01-29T08:00:00Z")
    clock.advance(timedelta(days=2))  # 31 January, 08:00: within 72 hours
    steps = _steps(client, world, declared["id"])
    sent = _submit(client, world, declared["id"], steps["nis2.notification"],
                   reference="ANSSI-2026-0042", file_name="notification.pdf")  # fmt: skip
    assert sent.status_code == 200, sent.text
    assert sent.json()["status"] == "submitted" and sent.json()["reference"] == "ANSSI-2026-0042"
    final = _steps(client, world, declared["id"])["nis2.final_report"]
    assert final["due_at"] == "2026-02-28T08:00:00Z" and final["status"] == "running"
    # A second submission of the same step is a conflict; nothing changes.
    again = _submit(client, world, declared["id"], steps["nis2.notification"], reference="other")
    assert again.status_code == 409
    assert (
        _steps(client, world, declared["id"])["nis2.notification"]["reference"] == "ANSSI-2026-0042"
    )
    # A relay reads but does not submit for the establishment.
    assert (
        _submit(client, world, declared["id"], steps["ars.declaration"], who="R1").status_code
        == 403
    )
    with state.sessions() as session:
        actions = session.scalars(select(AuditRecord.action).where(
            AuditRecord.action == "obligation.submit")).all()  # fmt: skip
    assert actions == ["obligation.submit"]
    log = client.get(f"{URL}/{declared['id']}/log", headers=world.auth("E1")).json()
    assert any("ANSSI-2026-0042" in entry["text"] for entry in log)


def test_a_late_step_needs_its_reason(client: TestClient, world: World, clock: ManualClock) -> None:
    declared = declare(client, world, impacts=PERSONAL)
    clock.advance(timedelta(hours=80))
    cnil = _steps(client, world, declared["id"])["cnil.notification"]
    assert cnil["status"] == "overdue"
    refused = _submit(client, world, declared["id"], cnil)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "late_reason"
    assert _steps(client, world, declared["id"])["cnil.notification"]["submitted_at"] is None
    sent = _submit(client, world, declared["id"], cnil,
                   late_reason="Ampleur connue seulement après l'analyse des sauvegardes")  # fmt: skip
    assert sent.status_code == 200 and sent.json()["status"] == "late"
    assert sent.json()["late_reason"].startswith("Ampleur")
    future = _submit(client, world, declared["id"], _steps(client, world, declared["id"])["ars.declaration"],
                     submitted_at="2026-02-01T00:00:00Z")  # fmt: skip
    assert future.status_code == 422 and future.json()["errors"][0]["field"] == "submitted_at"


def test_a_step_that_no_longer_applies_cannot_be_submitted(
    client: TestClient, world: World, state: AppState
) -> None:
    declared = declare(client, world, impacts=PERSONAL)
    cnil = _steps(client, world, declared["id"])["cnil.notification"]
    client.patch(f"{URL}/{declared['id']}", json={"impacts": {"personal_data": False}},
                 headers=world.auth("E1"))  # fmt: skip
    assert _steps(client, world, declared["id"])["cnil.notification"]["status"] == "not_applicable"
    refused = _submit(client, world, declared["id"], cnil)
    assert refused.status_code == 422
    with state.sessions() as session:
        row = session.get(RegulatoryObligation, uuid.UUID(cnil["id"]))
        assert row is not None and row.submitted_at is None
    final = _steps(client, world, declared["id"])
    assert "nis2.final_report" not in final
    unknown = client.post(f"{URL}/{declared['id']}/obligations/{declared['id']}/submit", json={},
                          headers=world.auth("E1"))  # fmt: skip
    assert unknown.status_code == 404


def test_an_administrator_sets_the_status_and_open_incidents_follow(
    client: TestClient, world: World, state: AppState
) -> None:
    declared = declare(client, world, impacts={"personal_data": False})
    assert list(_steps(client, world, declared["id"])) == ["ars.declaration"]
    url = f"/api/v1/organisations/{world.ids['E1']}/regulatory-status"
    assert (
        client.patch(url, json={"nis2": "essential"}, headers=world.auth("E1")).status_code == 403
    )
    bad = client.patch(url, json={"nis2": "vital"}, headers=world.auth("admin"))
    assert bad.status_code == 422
    changed = client.patch(url, json={"nis2": "essential"}, headers=world.auth("admin"))
    assert changed.status_code == 200 and changed.json()["nis2"] == "essential"
    assert changed.json()["csp_health"] is True
    steps = _steps(client, world, declared["id"])
    assert steps["nis2.early_warning"]["due_at"] == "2026-01-02T08:00:00Z"
    with state.sessions() as session:
        record = session.scalars(select(AuditRecord).where(
            AuditRecord.action == "organisation.regulatory_status")).one()  # fmt: skip
    assert record.details["after"] == {"nis2": "essential", "csp_health": True}
