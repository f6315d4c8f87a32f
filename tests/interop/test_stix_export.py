"""STIX 2.1 export: valid for the OASIS validator, viewer-aware, TLP-guarded."""

from __future__ import annotations

import json
from typing import Any

import stix2
from fastapi.testclient import TestClient
from stix2validator import ValidationOptions, validate_string

from tests.alerts.factory import alert_body, publish
from tests.world import World
from tocsin.interop import stix_vocab


def export(client: TestClient, world: World, who: str, alert_id: str) -> Any:
    return client.get(
        f"/api/v1/alerts/{alert_id}/export", params={"format": "stix"}, headers=world.auth(who)
    )


def assert_valid(bundle: dict[str, Any]) -> None:
    result = validate_string(json.dumps(bundle), ValidationOptions())
    assert result.errors == [], [str(e) for e in result.errors]
    assert result.is_valid
    stix2.parse(bundle, allow_custom=True)  # the stix2 library reads it too


def by_type(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [o for o in bundle["objects"] if o["type"] == kind]


def test_an_exported_alert_is_a_valid_bundle_with_every_part(
    client: TestClient, world: World
) -> None:
    alert = publish(client, world, "E1", tlp="green", scope={"kind": "region"})
    response = export(client, world, "E2", alert["id"])
    assert response.status_code == 200, response.text
    bundle = response.json()
    assert_valid(bundle)
    report = by_type(bundle, "report")[0]
    others = {o["id"] for o in bundle["objects"]} - {report["id"]}
    marking_ids = {o["id"] for o in by_type(bundle, "marking-definition")}
    assert set(report["object_refs"]) >= others - marking_ids - {
        stix_vocab.SYSTEM_IDENTITY_ID, stix_vocab.EXTENSION_ID}  # fmt: skip
    assert report["x_tocsin_care_impact"]["patients_transferred"] == 3
    assert report["object_marking_refs"] == [stix_vocab.TLP2_MARKING_IDS["green"]]
    patterns = sorted(i["pattern"] for i in by_type(bundle, "indicator"))
    assert "[domain-name:value = 'evil.example.com']" in patterns
    assert "[ipv4-addr:value = '203.0.113.7']" in patterns
    assert f"[file:hashes.'SHA-256' = '{'a' * 64}']" in patterns
    assert "rule x { condition: true }" in patterns
    yara = next(i for i in by_type(bundle, "indicator") if i["pattern_type"] == "yara")
    assert yara["pattern"] == "rule x { condition: true }"
    steps = by_type(bundle, "attack-pattern")
    assert steps[0]["external_references"][0] == {
        "source_name": "mitre-attack", "external_id": "T1110.001",
        "url": "https://attack.mitre.org/techniques/T1110/001/"}  # fmt: skip
    assert by_type(bundle, "malware")[0]["name"] == "LockBit 3.0"
    kinds = {
        (r["relationship_type"], r["source_ref"].split("--")[0], r["target_ref"].split("--")[0])
        for r in by_type(bundle, "relationship")
    }
    assert ("indicates", "indicator", "malware") in kinds
    assert ("mitigates", "course-of-action", "malware") in kinds
    assert ("uses", "malware", "attack-pattern") in kinds
    assert ("investigates", "course-of-action", "indicator") in kinds
    assert by_type(bundle, "identity")[0]["name"] == "Org E1"


def test_cve_cidr_and_expiry_map_to_their_stix_forms(client: TestClient, world: World) -> None:
    indicators = [
        {"type": "cve", "value": "cve-2024-3400"},
        {"type": "cidr", "value": "198.51.100.0/24"},
        {"type": "cidr", "value": "2001:db8::/32"},
        {"type": "email", "value": "bad@evil.example.com", "valid_until": "2030-01-01T00:00:00Z"},
        {"type": "filename", "value": "it's.exe"},
    ]
    alert = publish(client, world, "E1", tlp="clear", indicators=indicators)
    bundle = export(client, world, "E5", alert["id"]).json()
    assert_valid(bundle)
    assert by_type(bundle, "vulnerability")[0]["name"] == "CVE-2024-3400"
    by_pattern = {i["pattern"]: i for i in by_type(bundle, "indicator")}
    assert "[ipv4-addr:value = '198.51.100.0/24']" in by_pattern
    assert "[ipv6-addr:value = '2001:db8::/32']" in by_pattern
    assert "[file:name = 'it\\'s.exe']" in by_pattern
    email = by_pattern["[email-addr:value = 'bad@evil.example.com']"]
    assert email["valid_until"] == "2030-01-01T00:00:00.000Z"


def test_an_anonymous_source_is_hidden_from_peers_but_not_from_its_relays(
    client: TestClient, world: World
) -> None:
    alert = publish(client, world, "E1", tlp="green", anonymous=True)
    peer = export(client, world, "E5", alert["id"]).json()
    assert_valid(peer)
    assert [i["id"] for i in by_type(peer, "identity")] == [
        stix_vocab.ANONYMOUS_IDENTITY_ID, stix_vocab.SYSTEM_IDENTITY_ID]  # fmt: skip
    assert "Org E1" not in json.dumps(peer)
    relay = export(client, world, "G1", alert["id"]).json()
    assert by_type(relay, "identity")[0]["name"] == "Org E1"


def test_ids_are_deterministic(client: TestClient, world: World) -> None:
    alert = publish(client, world, "E1", tlp="green")
    first = export(client, world, "E2", alert["id"]).json()
    second = export(client, world, "E2", alert["id"]).json()
    assert first == second


def test_every_tlp_level_uses_the_official_marking(client: TestClient, world: World) -> None:
    for level in ("clear", "green", "amber", "amber+strict"):
        alert = publish(client, world, "E1", tlp=level)
        bundle = export(client, world, "E1", alert["id"]).json()
        assert_valid(bundle)
        marking = by_type(bundle, "marking-definition")[0]
        assert marking["id"] == stix_vocab.TLP2_MARKING_IDS[level]
        assert marking["name"] == f"TLP:{level.upper()}"


def test_strict_and_red_alerts_are_refused_to_all_but_their_source(
    client: TestClient, world: World
) -> None:
    strict = publish(client, world, "E1", tlp="amber+strict", scope={"kind": "group"})
    assert export(client, world, "E2", strict["id"]).status_code == 403
    assert export(client, world, "E1", strict["id"]).status_code == 200
    red = publish(client, world, "E1", tlp="red",
                  scope={"kind": "explicit", "organisations": [str(world.ids["E2"])]})  # fmt: skip
    refused = export(client, world, "E2", red["id"])
    assert refused.status_code == 403
    assert "TLP:RED" in refused.json()["detail"]
    assert export(client, world, "E5", red["id"]).status_code == 404  # invisible stays unseen


def _relayed(client: TestClient, world: World, anonymous: bool) -> str:
    body = alert_body(tlp="green", scope={"kind": "region"}, anonymous=anonymous,
                      affected_organisation=str(world.ids["E1"]))  # fmt: skip
    created = client.post("/api/v1/alerts", json=body, headers=world.auth("R1"))
    assert created.status_code == 201, created.text
    alert_id = str(created.json()["id"])
    published = client.post(f"/api/v1/alerts/{alert_id}/publish", headers=world.auth("R1"))
    assert published.status_code == 200, published.text
    return alert_id


def test_the_establishment_hit_is_a_victim_identity_that_the_malware_targets(
    client: TestClient, world: World
) -> None:
    bundle = export(client, world, "E4", _relayed(client, world, anonymous=False)).json()
    assert_valid(bundle)
    identities = {o["name"]: o for o in by_type(bundle, "identity")}
    victim = identities["Org E1"]
    assert victim["identity_class"] == "organization" and victim["sectors"] == ["healthcare"]
    assert by_type(bundle, "report")[0]["created_by_ref"] == identities["Org R1"]["id"]
    assert victim["id"] in by_type(bundle, "report")[0]["object_refs"]
    malware = by_type(bundle, "malware")[0]
    targets = [r for r in by_type(bundle, "relationship") if r["relationship_type"] == "targets"]
    assert [(r["source_ref"], r["target_ref"]) for r in targets] == [(malware["id"], victim["id"])]


def test_an_anonymous_victim_leaves_the_export_of_a_peer_but_not_of_its_relays(
    client: TestClient, world: World
) -> None:
    alert_id = _relayed(client, world, anonymous=True)
    peer = export(client, world, "E4", alert_id).json()
    assert_valid(peer)
    assert "Org E1" not in json.dumps(peer)
    assert not [r for r in by_type(peer, "relationship") if r["relationship_type"] == "targets"]
    relay = export(client, world, "G1", alert_id).json()
    assert "Org E1" in {i["name"] for i in by_type(relay, "identity")}


def test_downloads_carry_their_media_type_and_a_file_name(client: TestClient, world: World) -> None:
    alert = publish(client, world, "E1", tlp="green")
    stix = export(client, world, "E5", alert["id"])
    assert stix.headers["content-type"] == "application/stix+json;version=2.1"
    name = f'attachment; filename="tocsin-{alert["id"]}.stix.json"'
    assert stix.headers["content-disposition"] == name
    misp = client.get(f"/api/v1/alerts/{alert['id']}/export", params={"format": "misp"},
                      headers=world.auth("E5"))  # fmt: skip
    assert misp.headers["content-type"] == "application/json"
    assert misp.headers["content-disposition"].endswith(f'{alert["id"]}.misp.json"')
