"""The relay dashboard: silent establishments named first, time left, relayed alerts whole.

A relay sees its perimeter's answers to any alert it reads, every recipient's answer to
an alert it published itself, and nothing of what happens outside its perimeter.
"""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from tests.alerts.factory import publish
from tests.relay.factory import URL as DECLARATIONS
from tests.relay.factory import declare
from tests.web.helpers import sign_in
from tests.world import World
from tocsin.clock import ManualClock

EN = {"Accept-Language": "en"}


def _section(page: str, alert_id: str) -> str:
    start = page.index(f'id="relay-{alert_id}"')
    return page[start : page.index("</section>", start)]


def test_silent_establishments_are_named_with_the_time_left_then_overdue(
    client: TestClient, world: World, clock: ManualClock
) -> None:
    alert = publish(client, world, "E2", severity="critical", title="Wiper")
    for who in ("E1", "E3"):  # every establishment in R1 but E4 answers
        acked = client.put(f"/api/v1/alerts/{alert['id']}/response",
                           json={"acknowledged": True}, headers=world.auth(who))  # fmt: skip
        assert acked.status_code == 200, acked.text
    sign_in(client, "so_R1", **EN)
    page = client.get("/relay", headers=EN).text
    silent = page[page.index('id="silent"') : page.index("</section>")]
    assert '<span id="silent-count">1</span>' in silent
    assert "<strong>Org E4</strong> · 1 alert not acknowledged" in silent
    section = _section(page, alert["id"])
    assert section.count('class="silent"') == 1 and "min left" in section
    clock.advance(timedelta(days=2))  # long past any acknowledgement deadline
    sign_in(client, "so_R1", **EN)  # the web session lasts a working day
    later = _section(client.get("/relay", headers=EN).text, alert["id"])
    assert "overdue by" in later and "min left" not in later


def test_a_relay_sees_every_recipient_of_an_alert_it_relayed(
    client: TestClient, world: World
) -> None:
    declaration = declare(client, world, "E1", title="PACS encrypted")
    qualified = client.post(f"{DECLARATIONS}/{declaration['id']}/qualify",
                            json={"scope": {"kind": "region"}}, headers=world.auth("G1"))  # fmt: skip
    assert qualified.status_code == 200, qualified.text
    relayed = qualified.json()["alert_id"]
    other = publish(client, world, "E2", title="Not relayed by G1")
    sign_in(client, "so_G1", **EN)
    page = client.get("/relay", headers=EN).text
    assert "Org E4" in _section(page, relayed)  # G2's establishment: G1 sent it the alert
    assert "Org E4" not in _section(page, other["id"])  # not G1's alert, not G1's perimeter
    assert "Org E1" in _section(page, other["id"])


def test_a_relay_outside_the_perimeter_sees_nothing(client: TestClient, world: World) -> None:
    alert = publish(client, world, "E2", severity="critical", title="R1 only")
    waiting = declare(client, world, "E1", title="Declared in R1")
    national = publish(client, world, "E2", title="Nationwide", scope={"kind": "national"})
    sign_in(client, "so_R2", **EN)
    page = client.get("/relay", headers=EN).text
    assert f"relay-{alert['id']}" not in page and "R1 only" not in page
    assert "Declared in R1" not in page and f"waiting-{waiting['id']}" not in page
    assert client.get(f"/declarations/{waiting['id']}", headers=EN).status_code == 404
    seen = _section(page, national["id"])  # R2 reads it, but only its own answer to it
    assert "Org E5" in seen and "Org E1" not in seen and "Org E4" not in seen


def test_a_waiting_declaration_links_to_its_page_and_turns_overdue(
    client: TestClient, world: World, clock: ManualClock
) -> None:
    waiting = declare(client, world, "E1", title="Encrypted PACS")
    sign_in(client, "so_R1", **EN)
    page = client.get("/relay", headers=EN).text
    row = page[page.index(f'id="waiting-{waiting["id"]}"') :].split("</tr>")[0]
    assert f'href="/declarations/{waiting["id"]}"' in row and "min left" in row
    assert 'class="overdue"' not in row
    clock.advance(timedelta(days=3))
    sign_in(client, "so_R1", **EN)  # the web session lasts a working day
    page = client.get("/relay", headers=EN).text
    row = page[page.index(f'id="waiting-{waiting["id"]}"') :].split("</tr>")[0]
    assert 'class="overdue"' in row and "overdue by" in row
