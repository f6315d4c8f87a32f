"""The relay board as a grid coloured by response, the silent reminded in one action, the
on-call list beside each silent establishment, and the 30-day chart with axes and legend."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.alerts.factory import publish
from tests.web.helpers import page_token, sign_in
from tests.world import World
from tocsin.audit.models import AuditRecord
from tocsin.clock import ManualClock
from tocsin.db import transaction
from tocsin.delivery.models import Channel, Delivery
from tocsin.state import AppState

FR = {"Accept-Language": "fr"}


def _respond(client: TestClient, world: World, alert_id: str, org: str, **change: object) -> None:
    answer = client.put(f"/api/v1/alerts/{alert_id}/response", json=change,
                        headers=world.auth(org))  # fmt: skip
    assert answer.status_code == 200, answer.text


def _grid_row(page: str, world: World, org: str) -> str:
    return page.split(f'id="grid-{world.ids[org]}"')[1].split("</tr>")[0]


def test_the_grid_colours_each_establishment_by_its_response(
    client: TestClient, world: World, clock: ManualClock
) -> None:
    alert = publish(client, world, "E2", title="Hyperviseurs chiffrés")
    _respond(client, world, alert["id"], "E3", acknowledged=True, applicability="affected")
    _respond(client, world, alert["id"], "E4", acknowledged=True)
    clock.advance(timedelta(minutes=31))  # E1 stays silent past its escalation
    sign_in(client, "so_R1", **FR)
    page = client.get("/relay", headers=FR).text
    grid = page.split('id="grid"')[1].split("</section>")[0]
    assert "state-overdue" in _grid_row(page, world, "E1")
    assert "state-affected" in _grid_row(page, world, "E3")
    assert "state-acknowledged" in _grid_row(page, world, "E4")
    assert grid.index(f"grid-{world.ids['E1']}") < grid.index(f"grid-{world.ids['E4']}")
    legend = grid.split('id="grid-legend"')[1].split("</p>")[0]
    for word in ("accusé réception", "touché", "silencieux", "en retard", "non destinataire"):
        assert word in legend, word


def test_a_relay_reminds_the_silent_ones_in_one_audited_action(
    client: TestClient, world: World, state: AppState
) -> None:
    alert = publish(client, world, "E2", title="Hyperviseurs chiffrés")
    _respond(client, world, alert["id"], "E3", acknowledged=True)
    sign_in(client, "so_R1", **FR)
    board = client.get("/relay", headers=FR).text
    assert "Relancer les 2 établissements silencieux" in board
    answer = client.post(f"/relay/alerts/{alert['id']}/remind",
                         data={"csrf_token": page_token(client, "/relay")},
                         follow_redirects=False)  # fmt: skip
    assert answer.status_code == 303 and "reminded=2" in answer.headers["location"]
    assert "2 établissements relancés." in client.get(answer.headers["location"]).text
    with transaction(state.sessions) as session:
        told = session.scalars(select(Delivery.recipient_org_id).where(
            Delivery.action == "reminder", Delivery.channel == Channel.live)).all()  # fmt: skip
        record = session.scalars(
            select(AuditRecord).where(AuditRecord.action == "response.remind")
        ).one()
        assert sorted(told) == sorted([world.ids["E1"], world.ids["E4"]])
        assert record.target_id == alert["id"]


def test_a_silent_establishment_shows_who_to_call(client: TestClient, world: World) -> None:
    contacts = {"contacts": [{"name": "Camille Martin", "role": "RSSI d'astreinte",
                              "phone": "+33612345678", "hours": "24/7"}]}  # fmt: skip
    put = client.put(f"/api/v1/organisations/{world.ids['E1']}/on-call", json=contacts,
                     headers=world.auth("E1"))  # fmt: skip
    assert put.status_code == 200, put.text
    publish(client, world, "E2")
    sign_in(client, "so_R1", **FR)
    page = client.get("/relay", headers=FR).text
    silent = page.split(f'id="silent-{world.ids["E1"]}"')[1].split("</li></ul>")[0]
    assert "Camille Martin" in silent and 'href="tel:+33612345678"' in silent
    assert "pas de liste d&#39;astreinte" in page.split(f'id="silent-{world.ids["E4"]}"')[1]


def test_the_30_day_chart_has_axes_and_a_translated_legend(
    client: TestClient, world: World
) -> None:
    publish(client, world, "E2")
    sign_in(client, "so_R1", **FR)
    chart = client.get("/relay", headers=FR).text.split('id="timeline"')[1].split("</figure>")[0]
    assert '<line class="axis"' in chart and 'class="tick"' in chart
    assert ">Alertes</text>" in chart and ">Déclarations</text>" in chart
    assert "Alertes et déclarations par jour, 30 derniers jours" in chart
