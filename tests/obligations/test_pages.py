"""The director's dashboard and the relay board show every running regulatory clock with its
countdown (the `_clocks.html` fragment, loaded by htmx from /clocks)."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient

from tests.obligations.helpers import set_status
from tests.relay.factory import URL, declare
from tests.web.helpers import sign_in
from tests.world import World
from tocsin.clock import ManualClock
from tocsin.state import AppState


def _rows(html: str) -> list[str]:
    return re.findall(r'data-regime="(\w+)" data-step="(\w+)"', html)


def test_the_establishment_and_its_relays_see_the_running_clocks(
    client: TestClient, world: World, state: AppState, clock: ManualClock
) -> None:
    set_status(state, world, "E1", "important")
    declared = declare(client, world, title="Rançongiciel au bloc")
    clock.advance(timedelta(hours=1, minutes=30))
    sign_in(client, "so_E1")
    dashboard = client.get("/dashboard")
    assert dashboard.status_code == 200
    assert 'hx-get="/clocks"' in dashboard.text and "Échéances réglementaires" in dashboard.text
    fragment = client.get("/clocks")
    assert fragment.status_code == 200
    rows = _rows(fragment.text)
    assert rows[:3] == [("nis2", "early_warning"), ("ars", "declaration"),
                        ("nis2", "notification")]  # fmt: skip
    assert "encore 22 h 30 min" in fragment.text and "Rançongiciel au bloc" in fragment.text
    assert "NIS2 · alerte précoce" in fragment.text
    assert "2 janv. 2026 09:00" in fragment.text  # Europe/Paris
    # Once sent, a step leaves the board; past its time, a step says by how much.
    steps = {o["step"]: o for o in client.get(f"{URL}/{declared['id']}/obligations",
                                                headers=world.auth("E1")).json()}  # fmt: skip
    client.post(f"{URL}/{declared['id']}/obligations/{steps['early_warning']['id']}/submit",
                json={}, headers=world.auth("E1"))  # fmt: skip
    clock.advance(timedelta(hours=23))
    client.cookies.clear()
    sign_in(client, "so_E1")  # a browser session lasts 10 hours
    later = client.get("/clocks").text
    assert ("nis2", "early_warning") not in _rows(later)
    assert "en retard de 0 h 30 min" in later
    client.cookies.clear()
    sign_in(client, "so_R1")
    relay = client.get("/relay")
    assert relay.status_code == 200 and 'hx-get="/clocks"' in relay.text
    assert ("ars", "declaration") in _rows(client.get("/clocks").text)
    client.cookies.clear()
    sign_in(client, "so_E4")
    assert _rows(client.get("/clocks").text) == []
    assert "Aucune échéance réglementaire en cours." in client.get("/clocks").text
