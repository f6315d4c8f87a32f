"""Alerts through the API: draft, publish, read as a peer, update, close, retract."""

from __future__ import annotations

from tests.alerts.factory import alert_body, publish


def test_a_draft_is_invisible_to_peers_until_published(client, world):
    draft = client.post("/api/v1/alerts", json=alert_body(), headers=world.auth("E1")).json()
    assert draft["status"] == "draft" and draft["revision"] == 0
    assert client.get(f"/api/v1/alerts/{draft['id']}", headers=world.auth("E2")).status_code == 404
    published = client.post(f"/api/v1/alerts/{draft['id']}/publish", headers=world.auth("E1"))
    assert published.json()["status"] == "published" and published.json()["revision"] == 1
    seen = client.get(f"/api/v1/alerts/{draft['id']}", headers=world.auth("E2"))
    assert seen.status_code == 200
    assert seen.json()["source"]["id"] == str(world.ids["E1"])


def test_a_peer_of_the_region_reads_it_and_another_region_gets_404(client, world):
    alert = publish(client, world, "E1")
    assert client.get(f"/api/v1/alerts/{alert['id']}", headers=world.auth("E4")).status_code == 200
    other = client.get(f"/api/v1/alerts/{alert['id']}", headers=world.auth("E5"))
    assert other.status_code == 404
    assert other.headers["content-type"] == "application/problem+json"
    assert other.json()["detail"] == "no such alert"


def test_indicators_are_normalised_and_duplicates_merged(client, world):
    body = alert_body(
        indicators=[
            {"type": "domain", "value": "EVIL[.]Example.COM.", "comment": "C2"},
            {"type": "domain", "value": "evil.example.com", "comment": "seen twice"},
            {"type": "url", "value": "hxxps://EVIL.example.com:443/a#frag"},
            {"type": "ipv6", "value": "2001:DB8:0:0::1"},
        ]
    )
    alert = client.post("/api/v1/alerts", json=body, headers=world.auth("E1")).json()
    values = [(i["type"], i["value"], i["comment"]) for i in alert["indicators"]]
    assert values == [
        ("domain", "evil.example.com", "C2; seen twice"),
        ("url", "https://evil.example.com/a", None),
        ("ipv6", "2001:db8::1", None),
    ]


def test_attack_technique_ids_are_canonical(client, world):
    alert = publish(client, world, "E1")
    assert [s["technique"] for s in alert["attack_steps"]] == ["T1110.001", "T1486"]


def test_update_of_a_published_alert_is_a_new_revision_and_keeps_history(client, world):
    alert = publish(client, world, "E1")
    first_ids = {i["value"]: i["id"] for i in alert["indicators"]}
    changed = client.patch(
        f"/api/v1/alerts/{alert['id']}",
        json={"severity": "high", "indicators": [{"type": "ipv4", "value": "203.0.113.7"}],
              "note": "scope of the C2 narrowed"},
        headers=world.auth("E1"),
    )  # fmt: skip
    assert changed.status_code == 200, changed.text
    assert changed.json()["status"] == "updated" and changed.json()["revision"] == 2
    assert changed.json()["indicators"][0]["id"] == first_ids["203.0.113.7"]
    revisions = client.get(f"/api/v1/alerts/{alert['id']}/revisions", headers=world.auth("E2"))
    history = revisions.json()
    assert [(r["number"], r["action"]) for r in history] == [(1, "publish"), (2, "update")]
    assert history[0]["document"]["severity"] == "critical"
    assert len(history[0]["document"]["indicators"]) == 4
    assert history[1]["note"] == "scope of the C2 narrowed"


def test_close_then_no_more_changes(client, world):
    alert = publish(client, world, "E1")
    closed = client.post(f"/api/v1/alerts/{alert['id']}/close", headers=world.auth("E1"))
    assert closed.json()["status"] == "closed" and closed.json()["closed_at"]
    again = client.patch(
        f"/api/v1/alerts/{alert['id']}", json={"title": "x"}, headers=world.auth("E1")
    )
    assert again.status_code == 409


def test_retract_needs_a_reason_and_peers_see_it(client, world):
    alert = publish(client, world, "E1")
    missing = client.post(
        f"/api/v1/alerts/{alert['id']}/retract", json={}, headers=world.auth("E1")
    )
    assert missing.status_code == 422
    done = client.post(
        f"/api/v1/alerts/{alert['id']}/retract",
        json={"reason": "false positive"},
        headers=world.auth("E1"),
    )
    assert done.json()["status"] == "retracted"
    peer = client.get(f"/api/v1/alerts/{alert['id']}", headers=world.auth("E2")).json()
    assert peer["retract_reason"] == "false positive"


def test_only_the_source_may_change_an_alert(client, world):
    alert = publish(client, world, "E1")
    for path in ("close", "publish"):
        response = client.post(f"/api/v1/alerts/{alert['id']}/{path}", headers=world.auth("E2"))
        assert response.status_code == 404
    patch = client.patch(
        f"/api/v1/alerts/{alert['id']}", json={"title": "x"}, headers=world.auth("E2")
    )
    assert patch.status_code == 404


def test_an_anonymous_alert_hides_its_source_from_peers_not_from_relays(client, world):
    alert = publish(client, world, "E1", anonymous=True)
    assert (
        client.get(f"/api/v1/alerts/{alert['id']}", headers=world.auth("E2")).json()["source"]
        is None
    )
    for relay in ("G1", "R1", "N"):
        seen = client.get(f"/api/v1/alerts/{alert['id']}", headers=world.auth(relay)).json()
        assert seen["source"]["id"] == str(world.ids["E1"])
    revisions = client.get(f"/api/v1/alerts/{alert['id']}/revisions", headers=world.auth("E2"))
    assert revisions.json()[0]["author"] is None


def test_amber_strict_is_marked_not_to_leave_the_organisation(client, world):
    alert = publish(client, world, "E1", tlp="amber+strict")
    seen = client.get(f"/api/v1/alerts/{alert['id']}", headers=world.auth("E2")).json()
    assert seen["tlp_label"] == "TLP:AMBER+STRICT"
    assert seen["handling"] == "Not to leave your organisation."


def test_red_reaches_the_named_recipient_only(client, world):
    alert = publish(
        client, world, "E1", tlp="red",
        scope={"kind": "explicit", "organisations": [str(world.ids["E5"])]},
    )  # fmt: skip
    assert client.get(f"/api/v1/alerts/{alert['id']}", headers=world.auth("E5")).status_code == 200
    for other in ("E2", "G1", "R1", "N", "R2"):
        assert (
            client.get(f"/api/v1/alerts/{alert['id']}", headers=world.auth(other)).status_code
            == 404
        )
