"""The director's page opens on what needs the director now, then the posture's history."""

from __future__ import annotations

import uuid
from datetime import timedelta

from fastapi.testclient import TestClient

from tests.alerts.factory import publish
from tests.relay.factory import declare
from tests.responses.helpers import add_director
from tests.web.helpers import sign_in
from tests.world import World, _password_hash
from tocsin.clock import ManualClock
from tocsin.db import transaction
from tocsin.network.models import User
from tocsin.responses import escalation
from tocsin.state import AppState

FR = {"Accept-Language": "fr"}


def director_of(state: AppState, world: World, org: str) -> str:
    """A director of `org` who signs in with the test password; returns the sign-in key."""
    user_id: uuid.UUID = add_director(state, world, org)
    with transaction(state.sessions) as session:
        user = session.get(User, user_id)
        assert user is not None
        user.password_hash = _password_hash()
    return f"director.{org}"


def _section(page: str, name: str) -> str:
    return page.split(f'id="{name}"')[1].split("</ul>")[0]


def test_the_director_sees_escalations_urgent_alerts_and_incidents_first(
    client: TestClient, world: World, state: AppState, clock: ManualClock
) -> None:
    key = director_of(state, world, "E1")
    escalated = publish(client, world, "E2", title="Hyperviseurs chiffrés")
    clock.advance(timedelta(minutes=31))
    assert escalation.run_once(state)  # E1 stayed silent: its director is told
    fresh = publish(client, world, "E3", title="Messagerie compromise")
    declare(client, world, "E1", title="PACS chiffré chez nous")
    sign_in(client, key)
    page = client.get("/dashboard", headers=FR).text
    assert page.index('id="needs-now"') < page.index('id="posture"') < page.index('id="checklist"')
    escalations = _section(page, "escalations")
    assert "Hyperviseurs chiffrés" in escalations and "n&#39;a pas accusé réception" in escalations
    assert "Messagerie compromise" not in escalations
    urgent = _section(page, "urgent-alerts")
    assert f'href="/alerts/{fresh["id"]}"' in urgent and "dans 30 min" in urgent
    assert f'href="/alerts/{escalated["id"]}"' in urgent and "en retard de" in urgent
    assert "PACS chiffré chez nous" in _section(page, "incidents")
    chart = page.split('id="score-chart"')[1].split("</figure>")[0]
    assert '<svg class="score-history"' in chart and "Score de posture" in chart
    assert '<line class="axis"' in chart and ">100</text>" in chart


def test_with_nothing_pending_the_director_is_told_so_in_words_not_codes(
    client: TestClient, world: World, state: AppState
) -> None:
    key = director_of(state, world, "E1")
    alert = publish(client, world, "E2", severity="high")
    answer = client.put(f"/api/v1/alerts/{alert['id']}/response", headers=world.auth("E1"),
                        json={"acknowledged": True, "applicability": "affected"})  # fmt: skip
    assert answer.status_code == 200, answer.text
    sign_in(client, key)
    page = client.get("/dashboard", headers=FR).text
    assert 'id="nothing-now"' in page and 'id="escalations"' not in page
    received = page.split('id="received"')[1]
    assert "<td>touché</td>" in received and "affected" not in received
