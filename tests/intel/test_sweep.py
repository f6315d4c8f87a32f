"""The sweep set: currently valid, not warninglisted unless confirmed, of readable alerts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from tests.alerts.factory import publish
from tests.web.helpers import sign_in
from tests.world import World
from tocsin.clock import ManualClock
from tocsin.sweep.cli import coverage
from tocsin.sweep.hub import HubClient, load_from_hub

INDICATORS = [
    {"type": "ipv4", "value": "45.155.205.233"},
    {"type": "domain", "value": "c2.qzx-ransom-relay.top"},
    {"type": "sha256", "value": "b" * 64},
    {"type": "ipv4", "value": "8.8.8.8"},  # a public resolver: warninglisted
]


def sweep(client: TestClient, world: World, who: str, query: str = "") -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        suffix = f"&cursor={cursor}" if cursor else ""
        response = client.get(
            f"/api/v1/sweep/indicators?limit=2{query}{suffix}", headers=world.auth(who)
        )
        assert response.status_code == 200, response.text
        items += response.json()["items"]
        cursor = response.json()["next"]
        if not cursor:
            return items


def test_publish_sets_default_expiry_by_type(client: TestClient, world: World) -> None:
    alert = publish(client, world, "E1", indicators=INDICATORS)
    shown = client.get(f"/api/v1/alerts/{alert['id']}", headers=world.auth("E1")).json()
    by_value = {i["value"]: i["valid_until"] for i in shown["indicators"]}
    assert by_value["45.155.205.233"] is not None
    assert by_value["c2.qzx-ransom-relay.top"] is not None
    assert by_value["b" * 64] is None
    revisions = client.get(f"/api/v1/alerts/{alert['id']}/revisions", headers=world.auth("E1"))
    document = revisions.json()[0]["document"]
    assert {i["value"]: i["valid_until"] for i in document["indicators"]} == by_value


def test_warninglisted_values_wait_for_an_analyst(client: TestClient, world: World) -> None:
    alert = publish(client, world, "E1", indicators=INDICATORS)
    values = {i["value"] for i in sweep(client, world, "E2")}
    assert values == {"45.155.205.233", "c2.qzx-ransom-relay.top", "b" * 64}
    resolver = next(i for i in alert["indicators"] if i["value"] == "8.8.8.8")
    flags = client.get(f"/api/v1/indicators/{resolver['id']}/sightings", headers=world.auth("E2"))
    assert "List of known IPv4 public DNS resolvers" in flags.json()["warninglists"]
    refused = client.post(f"/api/v1/indicators/{resolver['id']}/confirm", headers=world.auth("E2"))
    assert refused.status_code == 403  # neither the source nor an analyst
    confirmed = client.post(
        f"/api/v1/indicators/{resolver['id']}/confirm", headers=world.auth("R1")
    )
    assert confirmed.status_code == 200, confirmed.text
    assert "8.8.8.8" in {i["value"] for i in sweep(client, world, "E2")}


def test_expired_indicators_leave_the_sweep_set(
    client: TestClient, world: World, clock: ManualClock
) -> None:
    alert = publish(client, world, "E1", indicators=INDICATORS)
    clock.advance(timedelta(days=31))
    values = {i["value"] for i in sweep(client, world, "E2", f"&alert={alert['id']}")}
    assert values == {"c2.qzx-ransom-relay.top", "b" * 64}
    clock.advance(timedelta(days=60))
    assert {i["value"] for i in sweep(client, world, "E2")} == {"b" * 64}


def test_only_readable_alerts_are_swept(client: TestClient, world: World) -> None:
    publish(client, world, "E1", indicators=INDICATORS[:1], tlp="amber+strict")
    assert sweep(client, world, "E5") == []
    assert [i["value"] for i in sweep(client, world, "E2")] == ["45.155.205.233"]


def test_held_back_values_are_listed_on_request_with_their_warninglist(
    client: TestClient, world: World
) -> None:
    publish(client, world, "E1", indicators=INDICATORS)
    every = {
        i["value"]: i["excluded_by"] for i in sweep(client, world, "E2", "&include_excluded=true")
    }
    assert len(every) == 4
    assert "List of known IPv4 public DNS resolvers" in every["8.8.8.8"]
    assert every["45.155.205.233"] == []


def test_the_sweep_says_how_many_a_warninglist_held_back(client: TestClient, world: World) -> None:
    """Against the hub itself: the count the sweep prints, and the values it sweeps."""
    publish(client, world, "E1", indicators=INDICATORS)
    hub = HubClient("http://testserver", world.tokens["so_E2"], transport=client._transport)
    loaded, _ = load_from_hub(hub)
    said = coverage(loaded, include_excluded=False)
    assert said.startswith("3 indicator(s), excluded 1 by warninglist ")
    assert said.endswith(": use --include-excluded to sweep them")
    assert "8.8.8.8" not in loaded.indicators.ips
    everything, _ = load_from_hub(hub, include_excluded=True)
    assert "8.8.8.8" in everything.indicators.ips and len(everything.indicators) == 4


def test_the_alert_page_marks_what_a_warninglist_keeps_out_of_sweeps(
    client: TestClient, world: World
) -> None:
    alert = publish(client, world, "E1", indicators=INDICATORS)
    sign_in(client, "so_E2")
    html = client.get(f"/alerts/{alert['id']}").text
    row = next(r for r in html.split("<tr>") if "<code>8.8.8.8</code>" in r)
    assert "écarté des balayages" in row and "DNS resolvers" in row
    clean = next(r for r in html.split("<tr>") if "<code>45.155.205.233</code>" in r)
    assert "écarté des balayages" not in clean
