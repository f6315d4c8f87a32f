"""The director's dashboard through the pages: checklist, sign-off, received alerts, report."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from tests.alerts.factory import publish
from tests.web.helpers import page_token, sign_in
from tests.world import World
from tocsin.audit.service import SYSTEM
from tocsin.clock import ManualClock
from tocsin.db import transaction
from tocsin.network import service as network_service
from tocsin.network.models import Role
from tocsin.state import AppState

EN = {"Accept-Language": "en"}


def test_dashboard_answers_sign_off_and_alerts_received(
    client: TestClient, world: World, state: AppState
) -> None:
    received = publish(client, world, "E2", title="Phishing seen at E2")
    own = publish(client, world, "E1", title="Our own alert")
    with transaction(state.sessions) as session:
        network_service.grant_role(session=session, user_id=world.users["so_E1"],
                                   organisation_id=world.ids["E1"], role=Role.director,
                                   now=state.clock.now(), actor=SYSTEM)  # fmt: skip
    sign_in(client, "so_E1")
    page = client.get("/dashboard", headers=EN)
    assert page.status_code == 200
    assert "MFA on every remote access" in page.text
    assert f"/alerts/{received['id']}" in page.text and own["id"] not in page.text
    token = page_token(client, "/dashboard")
    answer = {"status": "done", "evidence": "Pentest report", "csrf_token": token}
    client.post("/dashboard/items/mfa_remote_access", data=answer)
    client.post("/dashboard/signoff", data={"note": "Board", "csrf_token": token})
    page = client.get("/dashboard", headers=EN).text
    score = page.split('id="posture-score">')[1].split("<")[0]
    assert int(score) > 0
    assert "signed off on" in page and f"({score}/100)" in page
    assert 'value="Pentest report"' in page
    report = client.get("/dashboard/report/monthly", headers=EN)
    assert report.status_code == 200
    assert "Monthly cybersecurity report" in report.text and "Phishing seen at E2" in report.text
    assert "2026-01" in report.text  # the manual clock's month
    earlier = client.get("/dashboard/report/monthly?month=2025-12", headers=EN).text
    assert "Phishing seen at E2" not in earlier


def test_a_security_officer_cannot_sign_off(client: TestClient, world: World) -> None:
    sign_in(client, "so_E1")
    page = client.get("/dashboard", headers=EN).text
    assert 'id="signoff"' not in page
    response = client.post("/dashboard/signoff", data={"csrf_token": page_token(client)},
                           headers=EN)  # fmt: skip
    assert "never signed off" in response.text


def test_relays_drill_down_and_strangers_get_a_404_page(client: TestClient, world: World) -> None:
    sign_in(client, "so_G1")
    drill = client.get(f"/dashboard/{world.ids['E1']}", headers=EN)
    assert drill.status_code == 200 and "Org E1" in drill.text
    assert 'action="/dashboard/items/' not in drill.text  # relays read, they do not answer
    stranger = TestClient(client.app)
    sign_in(stranger, "so_E2")
    hidden = stranger.get(f"/dashboard/{world.ids['E1']}", headers=EN)
    assert hidden.status_code == 404 and "may not see it" in hidden.text


def test_the_dashboard_shows_the_organisations_own_responses(
    client: TestClient, world: World, clock: ManualClock
) -> None:
    alert = publish(client, world, "E2", title="Phishing seen at E2")
    clock.advance(timedelta(minutes=12))
    answer = client.put(f"/api/v1/alerts/{alert['id']}/response", headers=world.auth("E1"),
                        json={"applicability": "affected"})  # fmt: skip
    assert answer.status_code == 200, answer.text
    sign_in(client, "so_E1")
    page = client.get("/dashboard", headers=EN).text.split('id="received"')[1]
    row = page.split(f"/alerts/{alert['id']}")[1].split("</tr>")[0]
    assert "affected" in row and "1 Jan 2026 09:00" not in row  # stated, not acknowledged
    acknowledged = client.put(f"/api/v1/alerts/{alert['id']}/response",
                              headers=world.auth("E1"), json={"acknowledged": True})  # fmt: skip
    assert acknowledged.status_code == 200, acknowledged.text
    page = client.get("/dashboard", headers=EN).text.split('id="received"')[1]
    row = page.split(f"/alerts/{alert['id']}")[1]
    row = row.split("</tr>")[0]
    assert "1 Jan 2026 09:12" in row and "12 min" in row


def test_the_inbox_and_alert_page_show_where_the_response_stands(
    client: TestClient, world: World
) -> None:
    waiting = publish(client, world, "E2", title="Waiting for us")
    done = publish(client, world, "E3", title="Already acknowledged")
    acknowledged = client.put(f"/api/v1/alerts/{done['id']}/response", headers=world.auth("E1"),
                              json={"acknowledged": True})  # fmt: skip
    assert acknowledged.status_code == 200, acknowledged.text
    sign_in(client, "so_E1")
    inbox = client.get("/inbox", headers=EN).text
    row = inbox.split(f'id="alert-{waiting["id"]}"')[0].rsplit("<tr", 1)[1]
    assert "unacknowledged" in row
    waiting_row = inbox.split(f'id="alert-{waiting["id"]}"')[1].split("</tr>")[0]
    assert "Escalates at 1 Jan 2026 09:30" in waiting_row  # critical: 30 minutes
    done_row = inbox.split(f'id="alert-{done["id"]}"')[1].split("</tr>")[0]
    assert "1 Jan 2026 09:00" in done_row and "Escalates" not in done_row
    page = client.get(f"/alerts/{waiting['id']}", headers=EN).text
    form = page.split('id="acknowledge"')[0].rsplit("<form", 1)[1]
    assert f'name="csrf_token" value="{page_token(client)}"' in form
    assert "Escalates at" in page.split('id="ack-state"')[1].split("</dd>")[0]
