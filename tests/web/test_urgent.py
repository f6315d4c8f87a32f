"""The urgent thing stands out: unacknowledged critical alerts first with a banner on load,
deadlines on the hub's clock with a countdown, overdue ones marked, closed ones quiet."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from tests.alerts.factory import publish
from tests.web.helpers import page_token, sign_in
from tests.world import World
from tocsin.clock import ManualClock

EN = {"Accept-Language": "en"}
FR = {"Accept-Language": "fr"}


def _row(page: str, alert_id: str) -> str:
    return page.split(f'id="alert-{alert_id}"')[1].split("</tr>")[0]


def _acknowledge(client: TestClient, alert_id: str) -> None:
    token = page_token(client, f"/alerts/{alert_id}")
    answer = client.post(f"/alerts/{alert_id}/response",
                         data={"acknowledged": "true", "csrf_token": token})  # fmt: skip
    assert answer.status_code in (200, 303), answer.text


def test_an_unacknowledged_critical_alert_comes_first_with_a_banner_on_load(
    client: TestClient, world: World, clock: ManualClock
) -> None:
    critical = publish(client, world, "E2", title="Hypervisors encrypted")
    clock.advance(timedelta(minutes=5))
    publish(client, world, "E3", title="Newer phishing wave", severity="low")
    sign_in(client, "so_E1")
    page = client.get("/inbox", headers=EN).text
    assert page.index("Hypervisors encrypted") < page.index("Newer phishing wave")
    assert 'class="row sev-row-critical unacknowledged urgent"' in page
    banner = page.split('id="urgent-banner"')[1].split("</div>")[0]
    assert "1 critical alert waits for your acknowledgement" in banner
    assert f'href="/alerts/{critical["id"]}"' in banner
    alert_page = client.get(f"/alerts/{critical['id']}", headers=EN).text
    assert 'id="urgent-banner"' in alert_page

    _acknowledge(client, critical["id"])
    page = client.get("/inbox", headers=EN).text
    assert 'id="urgent-banner"' not in page and " urgent" not in page
    assert page.index("Newer phishing wave") < page.index("Hypervisors encrypted")


def test_times_are_on_the_hubs_clock_with_a_countdown_then_overdue(
    client: TestClient, world: World, clock: ManualClock
) -> None:
    alert = publish(client, world, "E2")  # critical: silence escalates after 30 minutes
    sign_in(client, "so_E1")
    row = _row(client.get("/inbox", headers=EN).text, alert["id"])
    assert "UTC" not in row
    assert "1 Jan 2026 09:00" in row  # 08:00 UTC is 09:00 in Paris in winter
    assert "Escalates at 1 Jan 2026 09:30 · in 30 min" in row
    assert "label warn deadline" in row
    french = _row(client.get("/inbox", headers=FR).text, alert["id"])
    assert "1 janv. 2026 09:30" in french and "dans 30 min" in french

    clock.advance(timedelta(minutes=45))
    sign_in(client, "so_E1")  # an idle session lapses meanwhile
    row = _row(client.get("/inbox", headers=EN).text, alert["id"])
    assert "label overdue deadline" in row and "overdue by 15 min" in row
    response = client.get(f"/alerts/{alert['id']}", headers=EN).text
    assert "overdue by 15 min" in response.split('id="response"')[1]


def test_a_closed_alert_offers_no_acknowledgement(client: TestClient, world: World) -> None:
    alert = publish(client, world, "E2")
    closed = client.post(f"/api/v1/alerts/{alert['id']}/close", headers=world.auth("E2"))
    assert closed.status_code == 200, closed.text
    sign_in(client, "so_E1")
    page = client.get(f"/alerts/{alert['id']}", headers=EN).text
    assert 'id="acknowledge"' not in page and 'id="urgent-banner"' not in page
    assert "Not needed: the alert is closed" in page
    inbox = client.get("/inbox", headers=EN).text
    assert "Escalates at" not in _row(inbox, alert["id"])


def test_empty_sections_are_left_out(client: TestClient, world: World) -> None:
    alert = publish(client, world, "E2", attack_steps=[], countermeasures=[],
                    care_impact={}, origin={})  # fmt: skip
    sign_in(client, "so_E1")
    page = client.get(f"/alerts/{alert['id']}", headers=EN).text
    for section in ("timeline", "countermeasures", "related", "care-impact"):
        assert f'id="{section}"' not in page, section
    assert 'id="indicators"' in page and 'id="revisions"' in page


def test_an_old_unacknowledged_critical_alert_still_opens_the_inbox_and_shows_once(
    client: TestClient, world: World, clock: ManualClock
) -> None:
    from tocsin.web import inbox

    old = publish(client, world, "E2", title="Old but unacknowledged")
    for index in range(inbox.PAGE_SIZE + 1):
        clock.advance(timedelta(minutes=1))
        publish(client, world, "E3", title=f"Routine {index:02d}", severity="low")
    sign_in(client, "so_E1")
    first = client.get("/inbox", headers=EN).text
    assert first.index("Old but unacknowledged") < first.index("Routine 25")
    cursor = first.split("/inbox?cursor=")[1].split('"')[0]
    rest = client.get(f"/inbox?cursor={cursor}", headers={"HX-Request": "true", **EN}).text
    assert old["id"] not in rest and "Routine 00" in rest
    filtered = client.get("/inbox", params={"severity": "low"}, headers=EN).text
    assert old["id"] not in filtered  # a filter shows what it asks for, nothing pinned
