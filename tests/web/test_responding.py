"""A recipient answers an alert from its page: acknowledge, applicability, update."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.alerts.factory import publish
from tests.web.helpers import page_token, sign_in
from tests.world import World

EN = {"Accept-Language": "en"}


def _own_response(client: TestClient, world: World, alert_id: str, who: str) -> dict[str, object]:
    answer = client.get(f"/api/v1/alerts/{alert_id}/response", headers=world.auth(who))
    assert answer.status_code == 200, answer.text
    body: dict[str, object] = answer.json()
    return body


def test_a_recipient_acknowledges_and_sets_applicability_from_the_alert_page(
    client: TestClient, world: World
) -> None:
    alert = publish(client, world, "E2", severity="critical")  # region R1: E1 receives it
    sign_in(client, "so_E1", **EN)
    inbox = client.get("/inbox", headers=EN).text
    assert "unacknowledged" in inbox and "Escalates at" in inbox
    page = client.get(f"/alerts/{alert['id']}", headers=EN)
    assert "Your response" in page.text and 'id="acknowledge"' in page.text
    token = page_token(client, f"/alerts/{alert['id']}")
    answer = client.post(
        f"/alerts/{alert['id']}/response",
        data={"csrf_token": token, "acknowledged": "true", "applicability": "investigating",
              "update": "Checking the VPN logs."},
        follow_redirects=False,
    )  # fmt: skip
    assert answer.status_code == 303
    state = _own_response(client, world, alert["id"], "E1")
    assert state["acknowledged_at"] and state["applicability"] == "investigating"
    page = client.get(f"/alerts/{alert['id']}", headers=EN).text
    assert 'id="acknowledge"' not in page and "investigating" in page
    assert "unacknowledged" not in client.get("/inbox", headers=EN).text


def test_a_viewer_sees_the_response_but_cannot_answer(client: TestClient, world: World) -> None:
    alert = publish(client, world, "E2")
    sign_in(client, "viewer_E1", **EN)
    page = client.get(f"/alerts/{alert['id']}", headers=EN).text
    assert "Your response" in page and 'id="acknowledge"' not in page
    token = page_token(client, f"/alerts/{alert['id']}")
    client.post(f"/alerts/{alert['id']}/response",
                data={"csrf_token": token, "acknowledged": "true"})  # fmt: skip
    assert _own_response(client, world, alert["id"], "E1")["acknowledged_at"] is None


def test_no_response_without_the_csrf_token_or_to_an_unseen_alert(
    client: TestClient, world: World
) -> None:
    hidden = publish(client, world, "E5", scope={"kind": "group"})  # G3 only
    seen = publish(client, world, "E2")
    sign_in(client, "so_E1", **EN)
    forged = client.post(f"/alerts/{seen['id']}/response", data={"acknowledged": "true"})
    assert forged.status_code == 403
    assert _own_response(client, world, seen["id"], "E1")["acknowledged_at"] is None
    token = page_token(client)
    outside = client.post(f"/alerts/{hidden['id']}/response",
                          data={"csrf_token": token, "acknowledged": "true"})  # fmt: skip
    assert outside.status_code == 404
