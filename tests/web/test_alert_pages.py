"""The inbox, the alert page, its CSV, and the composer with its indicator box."""

from __future__ import annotations

import uuid
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.alerts.factory import alert_body, publish
from tests.web.helpers import page_token, sign_in
from tests.world import World
from tocsin.audit.models import AuditRecord
from tocsin.clock import ManualClock
from tocsin.db import transaction
from tocsin.responses.models import AlertResponse
from tocsin.state import AppState

EN = {"Accept-Language": "en"}


def test_the_inbox_lists_only_what_the_organisation_may_read(
    client: TestClient, world: World
) -> None:
    mine = publish(client, world, "E2", title="Region-wide ransomware")
    hidden = publish(client, world, "E5", title="Kept within G3", scope={"kind": "group"})
    sign_in(client, "so_E1")
    page = client.get("/inbox", headers=EN)
    assert page.status_code == 200
    assert "Region-wide ransomware" in page.text and f"/alerts/{mine['id']}" in page.text
    assert "Kept within G3" not in page.text and hidden["id"] not in page.text
    assert "TLP:AMBER" in page.text and "sev-critical" in page.text


def test_inbox_filters_and_newest_first(
    client: TestClient, world: World, clock: ManualClock
) -> None:
    publish(client, world, "E2", title="Older phishing wave", category="phishing", severity="low")
    clock.advance(timedelta(minutes=5))
    publish(client, world, "E3", title="Newer ransomware", severity="high")
    sign_in(client, "so_E1")
    page = client.get("/inbox").text
    assert page.index("Newer ransomware") < page.index("Older phishing wave")
    filtered = client.get("/inbox", params={"category": "phishing"}).text
    assert "Older phishing wave" in filtered and "Newer ransomware" not in filtered
    by_text = client.get("/inbox", params={"q": "RANSOMWARE", "severity": "bogus"}).text
    assert "Newer ransomware" in by_text and "Older phishing wave" not in by_text


def test_the_inbox_pages_with_a_cursor(client: TestClient, world: World) -> None:
    from tocsin.web import inbox

    for index in range(inbox.PAGE_SIZE + 2):
        created = client.post(
            "/api/v1/alerts", json=alert_body(title=f"Draft {index:02d}"), headers=world.auth("E1")
        )
        assert created.status_code == 201
    sign_in(client, "so_E1")
    first = client.get("/inbox").text
    assert first.count('class="row ') == inbox.PAGE_SIZE
    cursor = first.split("/inbox?cursor=")[1].split('"')[0]
    rest = client.get(f"/inbox?cursor={cursor}", headers={"HX-Request": "true"}).text
    assert rest.count('class="row ') == 2
    assert "<html" not in rest  # the htmx partial holds the rows only


def test_the_alert_page_shows_every_section(client: TestClient, world: World) -> None:
    alert = publish(client, world, "E2")
    sign_in(client, "so_E1")
    page = client.get(f"/alerts/{alert['id']}", headers=EN)
    assert page.status_code == 200
    text = page.text
    for section in ("summary", "care-impact", "timeline", "indicators", "countermeasures",
                    "revisions", "response"):  # fmt: skip
        assert f'id="{section}"' in text, section
    assert "https://attack.mitre.org/techniques/T1110/001/" in text
    assert "https://attack.mitre.org/techniques/T1486/" in text
    assert 'data-copy="evil.example.com"' in text
    assert "rule x { condition: true }" in text
    assert "emergency" in text and "LockBit 3.0" in text
    assert f"/alerts/{alert['id']}/indicators.csv" in text
    assert 'id="publish"' not in text  # a reader does not get the author's buttons


def test_revisions_show_what_changed(client: TestClient, world: World) -> None:
    alert = publish(client, world, "E2")
    patch = {"severity": "high", "note": "Contained",
             "indicators": [{"type": "ipv4", "value": "198.51.100.4"}]}  # fmt: skip
    changed = client.patch(f"/api/v1/alerts/{alert['id']}", json=patch, headers=world.auth("E2"))
    assert changed.status_code == 200, changed.text
    sign_in(client, "so_E1")
    text = client.get(f"/alerts/{alert['id']}", headers=EN).text
    assert "Revision 2" in text and "Contained" in text
    diff = text.split("Revision 2")[1].split("Revision 1")[0]
    # plain sentences, not a table of paths
    assert "Severity lowered from critical to high." in diff
    assert "Indicator added: ipv4 198.51.100.4" in diff
    assert "Indicator withdrawn: domain evil.example.com" in diff
    assert "care_impact" not in diff and "<table" not in diff


def test_an_invisible_or_absent_alert_is_a_404_page(client: TestClient, world: World) -> None:
    hidden = publish(client, world, "E5", scope={"kind": "group"})
    sign_in(client, "so_E1")
    for alert_id in (hidden["id"], str(uuid.uuid4())):
        for suffix in ("", "/indicators.csv", "/row"):
            response = client.get(f"/alerts/{alert_id}{suffix}", headers=EN)
            assert response.status_code == 404
            assert "text/html" in response.headers["content-type"]
            assert "may not see it" in response.text
            assert "Traceback" not in response.text and "Kept" not in response.text


def test_indicators_download_as_csv(client: TestClient, world: World) -> None:
    alert = publish(client, world, "E2")
    sign_in(client, "so_E1")
    response = client.get(f"/alerts/{alert['id']}/indicators.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    lines = response.text.splitlines()
    assert lines[0] == "type,value,comment"
    assert "ipv4,203.0.113.7," in lines


def test_the_composer_keeps_what_was_typed_and_shows_errors_in_place(
    client: TestClient, world: World
) -> None:
    sign_in(client, "so_E1")
    token = page_token(client, "/compose")
    response = client.post(
        "/compose",
        data={"csrf_token": token, "title": "", "summary": "Typed under stress <b>",
              "category": "ransomware", "severity": "", "tlp": "amber", "scope_kind": "region",
              "attack_steps": "T9999.999 Nonsense", "services": "imaging",
              "patients_transferred": "-3",
              "paste": "call hxxp://bad[.]example.org/x"},
        headers=EN,
    )  # fmt: skip
    assert response.status_code == 422
    text = response.text
    assert 'id="error-title"' in text and "This field is required." in text
    assert 'id="error-severity"' in text
    assert 'id="error-patients_transferred"' in text
    assert "Typed under stress &lt;b&gt;" in text
    assert 'value="imaging" checked' in text
    assert "T9999.999 Nonsense" in text
    assert "http://bad.example.org/x" in text  # the found indicators are listed
    assert client.get("/inbox").text.count('class="row ') == 0  # nothing was saved


def test_the_composer_saves_and_publishes(client: TestClient, world: World) -> None:
    sign_in(client, "so_E1")
    token = page_token(client, "/compose")
    response = client.post(
        "/compose",
        data={"csrf_token": token, "title": "Phishing wave", "summary": "Mails to staff",
              "category": "phishing", "severity": "high", "tlp": "green", "pap": "green",
              "scope_kind": "region", "attack_steps": "T1566.001 Spearphishing attachment",
              "countermeasures": "Block the sender\nWarn staff",
              "paste": "From: x@bad[.]example.org via 198.51.100[.]20", "action": "publish",
              "indicator": ["ipv4 198.51.100.20"]},
        follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 303, response.text
    alert_id = response.headers["location"].rsplit("/", 1)[1]
    stored = client.get(f"/api/v1/alerts/{alert_id}", headers=world.auth("E1")).json()
    assert stored["status"] == "published"
    assert [(i["type"], i["value"]) for i in stored["indicators"]] == [("ipv4", "198.51.100.20")]
    assert stored["attack_steps"][0]["technique"] == "T1566.001"
    assert [c["action"] for c in stored["countermeasures"]] == ["Block the sender", "Warn staff"]
    reader = TestClient(client.app)
    sign_in(reader, "so_E4")
    assert "Phishing wave" in reader.get("/inbox").text


def test_a_draft_is_published_from_its_page(client: TestClient, world: World) -> None:
    created = client.post("/api/v1/alerts", json=alert_body(), headers=world.auth("E1")).json()
    sign_in(client, "so_E1")
    page = client.get(f"/alerts/{created['id']}")
    assert 'id="publish"' in page.text
    done = client.post(
        f"/alerts/{created['id']}/publish",
        data={"csrf_token": page_token(client)},
        follow_redirects=False,
    )
    assert done.status_code == 303
    stored = client.get(f"/api/v1/alerts/{created['id']}", headers=world.auth("E1")).json()
    assert stored["status"] == "published"


def test_the_indicator_box_extracts_refangs_and_types(client: TestClient, world: World) -> None:
    sign_in(client, "so_E1")
    token = page_token(client, "/compose")
    pasted = "Seen: hxxps://evil[.]example[.]com/a, 203.0.113[.]66 and " + "a" * 64
    response = client.post(
        "/compose/extract", data={"paste": pasted, "csrf_token": token}, headers=EN
    )
    assert response.status_code == 200
    text = response.text
    assert "<html" not in text
    assert "3 indicators found" in text
    assert 'value="ipv4 203.0.113.66"' in text
    assert 'value="url https://evil.example.com/a"' in text
    assert f'value="sha256 {"a" * 64}"' in text
    empty = client.post(
        "/compose/extract", data={"paste": "nothing", "csrf_token": token}, headers=EN
    )
    assert "No indicator found" in empty.text


def test_a_nul_character_in_a_form_is_refused(client: TestClient, world: World) -> None:
    sign_in(client, "so_E1")
    token = page_token(client, "/compose")
    response = client.post("/compose", data={"csrf_token": token, "title": "a\x00b"})
    assert response.status_code == 422


def test_the_alert_page_downloads_stix_and_misp_as_its_reader_may_see_them(
    client: TestClient, world: World
) -> None:
    alert = publish(client, world, "E2", anonymous=True)
    strict = publish(client, world, "E2", tlp="amber+strict", scope={"kind": "group"})
    sign_in(client, "so_E1")
    stix = client.get(f"/alerts/{alert['id']}/export.stix.json")
    assert stix.status_code == 200 and "attachment" in stix.headers["content-disposition"]
    bundle = stix.json()
    assert bundle["type"] == "bundle"
    assert "Org E2" not in stix.text  # anonymous to a peer, in the file too
    misp = client.get(f"/alerts/{alert['id']}/export.misp.json")
    assert misp.status_code == 200 and "Event" in misp.json()
    assert client.get(f"/alerts/{strict['id']}/export.stix.json").status_code == 403
    assert client.get(f"/alerts/{alert['id']}/export.xml.json").status_code == 404


def test_the_alert_page_shows_related_alerts_and_what_the_network_saw(
    client: TestClient, world: World
) -> None:
    shared = [{"type": "domain", "value": "c2.qzx-ransom-relay.top"}]
    first = publish(client, world, "E1", indicators=shared, title="First wave")
    second = publish(client, world, "E4", indicators=shared, title="Second wave")
    indicator = second["indicators"][0]["id"]
    seen = client.post("/api/v1/sightings", headers=world.auth("E3"), json={
        "indicator_id": indicator, "count": 3, "first_seen": "2026-01-01T06:00:00Z",
        "last_seen": "2026-01-01T07:00:00Z"})  # fmt: skip
    assert seen.status_code == 201, seen.text
    sign_in(client, "so_E4")
    page = client.get(f"/alerts/{second['id']}", headers=EN).text
    related = page[page.index('id="related"') :]
    assert f'href="/alerts/{first["id"]}">First wave</a>' in related
    indicators = page[page.index('id="indicators"') : page.index('id="countermeasures"')]
    assert '<td class="seen" data-label="Seen by">1 · 1 Jan 2026 08:00</td>' in indicators
    client.post("/signout")
    sign_in(client, "so_E5")  # another region: E1's and E4's alerts are not its to read
    assert client.get(f"/alerts/{second['id']}").status_code == 404


def test_reading_a_sensitive_alert_in_the_browser_is_audited_like_the_api(
    client: TestClient, world: World, state: AppState
) -> None:
    alert = publish(client, world, "E2", tlp="amber+strict", scope={"kind": "region"})
    sign_in(client, "so_E1")
    assert client.get(f"/alerts/{alert['id']}").status_code == 200
    assert client.get(f"/alerts/{alert['id']}/indicators.csv").status_code == 200
    refused = client.get(f"/alerts/{alert['id']}/export.stix.json")
    assert refused.status_code == 403  # not for re-sharing: nothing shown, nothing read
    with transaction(state.sessions) as session:
        reads = session.scalars(
            select(AuditRecord).where(
                AuditRecord.action == "alert.read", AuditRecord.target_id == alert["id"]
            )
        ).all()
        assert sorted(r.details["door"] for r in reads) == ["csv", "page"]
        assert {r.actor_org_id for r in reads} == {world.ids["E1"]}
        assert {r.actor_user_id for r in reads} == {world.users["so_E1"]}
        response = session.scalar(
            select(AlertResponse).where(
                AlertResponse.alert_id == uuid.UUID(alert["id"]),
                AlertResponse.org_id == world.ids["E1"],
            )
        )
        assert response is not None and response.received_at is not None


def test_reading_an_amber_alert_in_the_browser_leaves_no_read_record(
    client: TestClient, world: World, state: AppState
) -> None:
    alert = publish(client, world, "E2", tlp="amber", scope={"kind": "region"})
    sign_in(client, "so_E1")
    assert client.get(f"/alerts/{alert['id']}").status_code == 200
    with transaction(state.sessions) as session:
        reads = session.scalars(select(AuditRecord).where(AuditRecord.action == "alert.read")).all()
    assert reads == []
