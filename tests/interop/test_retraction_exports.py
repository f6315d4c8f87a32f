"""Retraction leaves every export: withdrawn indicators and retracted alerts come out revoked
(STIX) or with to_ids false (MISP), with a retraction tag whatever the TLP."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.alerts.factory import alert_body, publish
from tests.world import World
from tocsin.interop.misp import RETRACTED_TAG
from tocsin.interop.stix import RETRACTED_LABEL


def exports(client: TestClient, world: World, alert_id: str) -> tuple[Any, Any]:
    url, auth = f"/api/v1/alerts/{alert_id}/export", world.auth("E5")
    bundle = client.get(url, headers=auth).json()
    event = client.get(url, params={"format": "misp"}, headers=auth).json()["Event"]
    return bundle, event


def indicators(bundle: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {o["name"]: o for o in bundle["objects"] if o["type"] == "indicator"}


def tags(attribute: dict[str, Any]) -> list[str]:
    return [t["name"] for t in attribute.get("Tag", [])]


def test_a_withdrawn_indicator_leaves_the_exports_revoked(client: TestClient, world: World) -> None:
    alert = publish(client, world, "E1", tlp="green")
    kept = alert_body()["indicators"][1:]  # withdraw the domain
    patched = client.patch(f"/api/v1/alerts/{alert['id']}", json={"indicators": kept},
                           headers=world.auth("E1"))  # fmt: skip
    assert patched.status_code == 200, patched.text
    bundle, event = exports(client, world, alert["id"])
    withdrawn = indicators(bundle)["evil.example.com"]
    assert withdrawn["revoked"] is True and RETRACTED_LABEL in withdrawn["labels"]
    assert withdrawn["id"] in bundle["objects"][0]["object_refs"]
    live = indicators(bundle)["203.0.113.7"]
    assert "revoked" not in live
    attributes = {a["value"]: a for a in event["Attribute"]}
    assert attributes["evil.example.com"]["to_ids"] is False
    assert RETRACTED_TAG in tags(attributes["evil.example.com"])
    assert attributes["203.0.113.7"]["to_ids"] is True
    assert event["published"] is True


def test_a_retracted_alert_revokes_every_indicator_in_both_formats(
    client: TestClient, world: World
) -> None:
    alert = publish(client, world, "E1", tlp="green")
    retracted = client.post(f"/api/v1/alerts/{alert['id']}/retract",
                            json={"reason": "false positive"}, headers=world.auth("E1"))  # fmt: skip
    assert retracted.status_code == 200, retracted.text
    bundle, event = exports(client, world, alert["id"])
    assert bundle["objects"][0]["revoked"] is True
    assert all(o["revoked"] is True and RETRACTED_LABEL in o["labels"]
               for o in indicators(bundle).values())  # fmt: skip
    assert event["published"] is False
    assert RETRACTED_TAG in tags(event)
    detection = [a for a in event["Attribute"] if a["type"] != "text"]
    assert detection and all(a["to_ids"] is False for a in detection)
    assert all(RETRACTED_TAG in tags(a) for a in detection)
    # a tool that reads the export back does not block on it either
    again = client.post("/api/v1/imports", json=bundle, headers=world.auth("E5")).json()
    assert again["drafts"][0]["indicators"] == 0
