"""Listing, filtering, paging and searching: only what the caller may read, ever."""

from __future__ import annotations

from datetime import timedelta

from tests.alerts.factory import alert_body, publish


def _titles(client, world, who, **params):
    response = client.get("/api/v1/alerts", params=params, headers=world.auth(who))
    assert response.status_code == 200, response.text
    return [a["title"] for a in response.json()["items"]]


def test_list_shows_visible_alerts_newest_first(client, world, clock):
    publish(client, world, "E1", title="first")
    clock.advance(timedelta(minutes=1))
    publish(client, world, "E5", title="other region")
    clock.advance(timedelta(minutes=1))
    publish(client, world, "E2", title="green", tlp="green", scope={"kind": "group"})
    clock.advance(timedelta(minutes=1))
    client.post("/api/v1/alerts", json=alert_body(title="draft"), headers=world.auth("E1"))
    assert _titles(client, world, "E3") == ["green", "first"]
    assert _titles(client, world, "E5") == ["green", "other region"]
    assert _titles(client, world, "E1") == ["draft", "green", "first"]
    assert _titles(client, world, "N") == ["green", "other region", "first"]


def test_filters(client, world, clock):
    publish(client, world, "E1", title="ransom", severity="critical")
    clock.advance(timedelta(hours=2))
    publish(client, world, "E1", title="phish", category="phishing", severity="low",
            summary="A credential PHISHING wave")  # fmt: skip
    assert _titles(client, world, "E2", category="phishing") == ["phish"]
    assert _titles(client, world, "E2", severity="critical") == ["ransom"]
    assert _titles(client, world, "E2", q="phishing") == ["phish"]
    since = (clock.now() - timedelta(hours=1)).isoformat()
    assert _titles(client, world, "E2", since=since) == ["phish"]
    bad = client.get("/api/v1/alerts", params={"severity": "apocalyptic"}, headers=world.auth("E2"))
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"].endswith("severity")


def test_cursor_pagination_walks_every_visible_alert_once(client, world, clock):
    for n in range(7):
        publish(client, world, "E1", title=f"a{n}")
        clock.advance(timedelta(seconds=1))
    seen, cursor = [], None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/v1/alerts", params=params, headers=world.auth("E2")).json()
        seen += [a["title"] for a in page["items"]]
        cursor = page["next"]
        if not cursor:
            break
    assert seen == [f"a{n}" for n in reversed(range(7))]
    broken = client.get("/api/v1/alerts", params={"cursor": "garbage"}, headers=world.auth("E2"))
    assert broken.status_code == 422 and broken.json()["errors"][0]["field"] == "cursor"


def test_indicator_search_only_across_visible_alerts(client, world):
    publish(client, world, "E1", title="region one")
    publish(client, world, "E5", title="region two")
    hits = client.get("/api/v1/indicators", params={"value": "evil[.]example.com"},
                      headers=world.auth("E2")).json()  # fmt: skip
    assert [h["alert"]["title"] for h in hits] == ["region one"]
    assert hits[0]["indicator"]["value"] == "evil.example.com"
    url = client.get("/api/v1/indicators", params={"value": "hxxps://evil.example.com/payload?x=1"},
                     headers=world.auth("E5")).json()  # fmt: skip
    assert [h["alert"]["title"] for h in url] == ["region two"]
    nonsense = client.get("/api/v1/indicators", params={"value": "%%%"}, headers=world.auth("E2"))
    assert nonsense.status_code == 422 and nonsense.json()["errors"][0]["field"] == "value"
