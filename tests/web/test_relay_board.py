"""The relay board: who in the perimeter is silent, what waits for qualification."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.alerts.factory import publish
from tests.relay.factory import URL as DECLARATIONS
from tests.relay.factory import declaration_body
from tests.web.helpers import sign_in
from tests.world import World

EN = {"Accept-Language": "en"}


def test_the_region_sees_who_acknowledged_and_who_is_silent_silent_first(
    client: TestClient, world: World
) -> None:
    alert = publish(client, world, "E2", severity="critical", title="Wiper in the lab")
    acked = client.put(f"/api/v1/alerts/{alert['id']}/response", json={"acknowledged": True},
                       headers=world.auth("E3"))  # fmt: skip
    assert acked.status_code == 200, acked.text
    sign_in(client, "so_R1", **EN)
    page = client.get("/relay", headers=EN)
    assert page.status_code == 200
    section = page.text[page.text.index(f'id="relay-{alert["id"]}"') :]
    rows = section[: section.index("</table>")].split("<tr")[2:]
    names = [row.split('<td data-label="Organisation">')[1].split("</td>")[0] for row in rows]
    silent = [n for n, row in zip(names, rows, strict=True) if 'class="silent"' in row]
    # Every establishment of the region but E3; the groups oversee, nobody chases them.
    assert silent == ["Org E1", "Org E4"]
    assert names[-1] == "Org E3" and "Escalates at" in section
    assert "Org G1" not in names and "Org G2" not in names
    assert 'Silent establishments: <span id="silent-count">2</span>' in page.text


def test_a_group_sees_only_its_perimeter_and_establishments_have_no_board(
    client: TestClient, world: World
) -> None:
    alert = publish(client, world, "E2", title="Region-wide phishing")
    sign_in(client, "so_G2", **EN)
    section = client.get("/relay", headers=EN).text
    assert f'id="relay-{alert["id"]}"' in section and "Org E4" in section
    assert "Org E1" not in section  # G1's establishment: not G2's business
    client.post("/signout")
    sign_in(client, "so_E1", **EN)
    assert client.get("/relay", headers=EN).status_code == 404


def test_a_declaration_waits_on_its_relays_board_only(client: TestClient, world: World) -> None:
    created = client.post(DECLARATIONS, json=declaration_body(title="Encrypted PACS"),
                          headers=world.auth("E1"))  # fmt: skip
    assert created.status_code == 201, created.text
    sign_in(client, "so_R1", **EN)
    assert "Encrypted PACS" in client.get("/relay", headers=EN).text
    client.post("/signout")
    sign_in(client, "so_R2", **EN)
    assert "Encrypted PACS" not in client.get("/relay", headers=EN).text


def test_the_board_draws_the_timeline_and_lists_postures_with_drill_down(
    client: TestClient, world: World
) -> None:
    publish(client, world, "E2", title="Timeline alert")
    sign_in(client, "so_R1", **EN)
    page = client.get("/relay", headers=EN).text
    assert '<svg class="timeline"' in page and 'class="bar-alerts"' in page
    postures = page[page.index('id="postures"') :]
    for name in ("E1", "E2", "E3", "E4"):  # the region's establishments, each with a link
        assert f'href="/dashboard/{world.ids[name]}">Org {name}</a>' in postures
    assert "Org E5" not in postures
    drill = client.get(f"/dashboard/{world.ids['E4']}", headers=EN)
    assert drill.status_code == 200
