"""The buttons of an alert page: what each user sees, what each may do, what is refused.

A recipient's officer acknowledges, sets applicability, posts updates, closes and reopens
its response; the source's officer publishes an update and closes the alert; viewers and
organisations outside the alert see no button and are refused when they post anyway.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.alerts.factory import publish
from tests.web.helpers import page_token, sign_in
from tests.world import World

EN = {"Accept-Language": "en"}
RESPONSE_BUTTONS = ('id="acknowledge"', 'id="set-applicability"', 'id="post-update"',
                    'id="close-response"')  # fmt: skip
SOURCE_BUTTONS = ('id="publish-update"', 'id="close-alert"')


def _response(client: TestClient, world: World, alert_id: str, who: str = "E1") -> Any:
    answer = client.get(f"/api/v1/alerts/{alert_id}/response", headers=world.auth(who))
    assert answer.status_code == 200, answer.text
    return answer.json()


def _post(client: TestClient, path: str, **fields: str) -> Any:
    token = page_token(client)
    return client.post(path, data={"csrf_token": token, **fields}, headers=EN,
                       follow_redirects=False)  # fmt: skip


def test_a_recipient_sets_applicability_posts_updates_closes_and_reopens(
    client: TestClient, world: World
) -> None:
    alert = publish(client, world, "E2")
    path = f"/alerts/{alert['id']}/response"
    sign_in(client, "so_E1", **EN)
    page = client.get(f"/alerts/{alert['id']}", headers=EN).text
    assert all(button in page for button in RESPONSE_BUTTONS)
    assert not any(button in page for button in SOURCE_BUTTONS)  # not the source's to close
    assert _post(client, path, applicability="not_affected").status_code == 303
    assert _post(client, path, update="No such VPN appliance here.").status_code == 303
    assert _post(client, path, closed="true").status_code == 303
    state = _response(client, world, alert["id"])
    assert state["applicability"] == "not_affected" and state["closed_at"]
    assert state["last_update"]["text"] == "No such VPN appliance here."
    page = client.get(f"/alerts/{alert['id']}", headers=EN).text
    assert "No such VPN appliance here." in page and 'id="reopen-response"' in page
    assert _post(client, path, closed="false").status_code == 303
    assert _response(client, world, alert["id"])["closed_at"] is None


def test_a_viewer_sees_no_button_and_is_refused_when_posting(
    client: TestClient, world: World
) -> None:
    alert = publish(client, world, "E2")
    sign_in(client, "viewer_E1", **EN)
    page = client.get(f"/alerts/{alert['id']}", headers=EN).text
    assert "Your response" in page
    assert not any(button in page for button in RESPONSE_BUTTONS)
    for fields in ({"acknowledged": "true"}, {"closed": "true"}, {"update": "Looked."}):
        refused = _post(client, f"/alerts/{alert['id']}/response", **fields)
        assert refused.status_code == 403 and "may read but not act" in refused.text
    state = _response(client, world, alert["id"])
    assert state["acknowledged_at"] is None and state["closed_at"] is None
    assert state["updates"] == []


def test_the_source_publishes_an_update_and_closes_its_alert(
    client: TestClient, world: World
) -> None:
    alert = publish(client, world, "E2", severity="high")
    sign_in(client, "so_E2", **EN)
    page = client.get(f"/alerts/{alert['id']}", headers=EN).text
    assert all(button in page for button in SOURCE_BUTTONS)
    assert 'id="acknowledge"' not in page  # the source does not answer its own alert
    empty = _post(client, f"/alerts/{alert['id']}/update", note=" ")
    assert empty.status_code == 422
    posted = _post(client, f"/alerts/{alert['id']}/update", note="The C2 moved to a new host.",
                   severity="critical")  # fmt: skip
    assert posted.status_code == 303
    stored = client.get(f"/api/v1/alerts/{alert['id']}", headers=world.auth("E1")).json()
    assert stored["severity"] == "critical" and stored["status"] == "updated"
    assert "The C2 moved to a new host." in client.get(f"/alerts/{alert['id']}", headers=EN).text
    assert _post(client, f"/alerts/{alert['id']}/close").status_code == 303
    assert client.get(f"/api/v1/alerts/{alert['id']}", headers=world.auth("E2")).json()[
        "status"] == "closed"  # fmt: skip
    late = _post(client, f"/alerts/{alert['id']}/update", note="One more thing.")
    assert late.status_code == 409


def test_no_one_else_changes_the_alert_or_answers_for_a_recipient(
    client: TestClient, world: World
) -> None:
    alert = publish(client, world, "E2")
    sign_in(client, "viewer_E2", **EN)  # the source's own viewer
    page = client.get(f"/alerts/{alert['id']}", headers=EN).text
    assert not any(button in page for button in SOURCE_BUTTONS)
    refused = _post(client, f"/alerts/{alert['id']}/update", note="Viewer's note")
    assert refused.status_code == 403
    client.post("/signout")
    sign_in(client, "so_E1", **EN)  # a recipient, not the source
    assert _post(client, f"/alerts/{alert['id']}/update", note="Not mine").status_code == 404
    client.post("/signout")
    sign_in(client, "so_E2", **EN)  # the source is not a recipient of its own alert
    answer = _post(client, f"/alerts/{alert['id']}/response", acknowledged="true")
    assert answer.status_code == 403 and "not a recipient" in answer.text
    stored = client.get(f"/api/v1/alerts/{alert['id']}", headers=world.auth("E2")).json()
    assert stored["status"] == "published"
