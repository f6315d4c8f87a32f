"""MISP: export that PyMISP loads, import of events from other producers, round trip."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pymisp import MISPEvent

from tests.alerts.factory import alert_body, publish
from tests.interop.test_stix_import import import_
from tests.world import World


def export_misp(client: TestClient, world: World, who: str, alert_id: str) -> Any:
    return client.get(
        f"/api/v1/alerts/{alert_id}/export", params={"format": "misp"}, headers=world.auth(who)
    )


def foreign_event() -> dict[str, Any]:
    """An event as a CERT's MISP instance publishes it."""
    return {"Event": {
        "uuid": "5f0c3b2e-1d4a-4c6b-9f3e-2a1b0c9d8e7f", "info": "Phishing wave on hospitals",
        "date": "2026-02-01", "threat_level_id": "1", "analysis": "1", "distribution": "1",
        "timestamp": "1769900000",
        "Tag": [{"name": "tlp:green"}, {"name": "PAP:AMBER"},
                {"name": 'misp-galaxy:mitre-attack-pattern="Spearphishing Link - T1566.002"'},
                {"name": 'misp-galaxy:threat-actor="TA505"'}],
        "Attribute": [
            {"uuid": "0a1b2c3d-0000-4000-8000-000000000001", "type": "ip-dst|port",
             "category": "Network activity", "value": "198.51.100.23|443", "to_ids": True,
             "Sighting": [{"date_sighting": "1769800000", "type": "0"}]},
            {"uuid": "0a1b2c3d-0000-4000-8000-000000000002", "type": "domain",
             "category": "Network activity", "value": "login-aphp.example.net",
             "comment": "fake portal"},
            {"uuid": "0a1b2c3d-0000-4000-8000-000000000003", "type": "AS",
             "category": "Network activity", "value": "AS64500"},
            {"uuid": "0a1b2c3d-0000-4000-8000-000000000004", "type": "sigma",
             "category": "Payload installation", "value": "title: x", "comment": "Hunt it"},
        ],
        "Object": [{
            "uuid": "0a1b2c3d-0000-4000-8000-0000000000f1", "name": "file",
            "meta-category": "file", "template_uuid": "688c46fb-5edb-40a3-8273-1af7923e2215",
            "template_version": "24",
            "Attribute": [
                {"uuid": "0a1b2c3d-0000-4000-8000-000000000011", "type": "filename",
                 "object_relation": "filename", "category": "Payload delivery",
                 "value": "facture.pdf.exe"},
                {"uuid": "0a1b2c3d-0000-4000-8000-000000000012", "type": "sha256",
                 "object_relation": "sha256", "category": "Payload delivery", "value": "b" * 64},
                {"uuid": "0a1b2c3d-0000-4000-8000-000000000013", "type": "size-in-bytes",
                 "object_relation": "size-in-bytes", "category": "Other", "value": "1024"},
            ]}],
    }}  # fmt: skip


def strip(event: dict[str, Any]) -> dict[str, Any]:
    """The event without what legitimately changes between exports: times, author."""
    body = copy.deepcopy(event["Event"])
    for key in ("timestamp", "date", "Orgc", "published", "analysis"):
        body.pop(key, None)
    return body


def test_an_exported_event_loads_in_pymisp_with_misp_types_and_tags(
    client: TestClient, world: World
) -> None:
    alert = publish(client, world, "E1", tlp="amber")
    response = export_misp(client, world, "E2", alert["id"])
    assert response.status_code == 200, response.text
    event = MISPEvent()
    event.load(json.dumps(response.json()))
    assert event.info == alert["title"]
    tags = {t.name for t in event.tags}
    assert {"tlp:amber", "PAP:AMBER",
            'misp-galaxy:mitre-attack-pattern="Password Guessing - T1110.001"',
            'misp-galaxy:mitre-attack-pattern="Data Encrypted for Impact - T1486"'} <= tags  # fmt: skip
    [galaxy] = response.json()["Event"]["Galaxy"]
    assert galaxy["type"] == "mitre-attack-pattern"
    clusters = {c["value"]: c for c in galaxy["GalaxyCluster"]}
    assert clusters["Password Guessing - T1110.001"]["meta"]["external_id"] == ["T1110.001"]
    assert clusters["Data Encrypted for Impact - T1486"]["tag_name"] in tags
    assert str(response.json()["Event"]["analysis"]) == "1"
    assert int(response.json()["Event"]["timestamp"]) > 0
    closed = client.post(f"/api/v1/alerts/{alert['id']}/close", headers=world.auth("E1"))
    assert closed.status_code == 200, closed.text
    assert str(export_misp(client, world, "E2", alert["id"]).json()["Event"]["analysis"]) == "2"
    typed = {(a.type, a.category, a.value) for a in event.attributes}
    assert ("domain", "Network activity", "evil.example.com") in typed
    assert ("ip-dst", "Network activity", "203.0.113.7") in typed
    assert ("sha256", "Payload delivery", "a" * 64) in typed
    assert {o.name for o in event.objects} == {"course-of-action", "yara"}
    assert int(event.threat_level_id) == 1
    assert event.Orgc.name == "Org E1"


def test_misp_round_trip_through_pymisp_is_stable(client: TestClient, world: World) -> None:
    alert = publish(client, world, "E1", tlp="green",
                    indicators=[{"type": "cve", "value": "CVE-2024-3400"},
                                {"type": "ipv4", "value": "192.0.2.1",
                                 "valid_until": "2030-01-01T00:00:00Z"}],
                    countermeasures=[{"action": "Snort it", "rule_kind": "snort",
                                      "rule": "alert tcp any any -> any any (sid:1;)"},
                                     {"action": "Sigma", "rule_kind": "sigma",
                                      "rule": "title: y"}])  # fmt: skip
    first = export_misp(client, world, "E1", alert["id"]).json()
    reloaded = MISPEvent()
    reloaded.load(json.dumps(first))
    [draft] = import_(client, world, "E2", json.loads(reloaded.to_json())).json()["drafts"]
    second = export_misp(client, world, "E2", draft["id"]).json()
    assert strip(second) == strip(first)
    mine = client.get(f"/api/v1/alerts/{draft['id']}", headers=world.auth("E2")).json()
    for key in ("title", "summary", "category", "severity", "tlp", "pap", "care_impact",
                "attack_steps", "countermeasures"):  # fmt: skip
        assert mine[key] == alert[key], key
    assert [(i["type"], i["value"], i["valid_until"]) for i in mine["indicators"]] == [
        (i["type"], i["value"], i["valid_until"]) for i in alert["indicators"]]  # fmt: skip


def test_a_foreign_event_maps_tags_objects_and_sightings(client: TestClient, world: World) -> None:
    response = import_(client, world, "E1", foreign_event())
    assert response.status_code == 201, response.text
    [draft] = response.json()["drafts"]
    assert draft["attachments"] == 3  # the AS number, the file object, one sighting
    alert = client.get(f"/api/v1/alerts/{draft['id']}", headers=world.auth("E1")).json()
    assert (alert["tlp"], alert["pap"], alert["severity"]) == ("green", "amber", "high")
    values = {(i["type"], i["value"]): i for i in alert["indicators"]}
    assert set(values) == {("ipv4", "198.51.100.23"), ("domain", "login-aphp.example.net"),
                           ("sha256", "b" * 64)}  # fmt: skip
    assert values[("sha256", "b" * 64)]["comment"] == "file name: facture.pdf.exe"
    assert values[("ipv4", "198.51.100.23")]["comment"] == "port: 443"
    assert values[("ipv4", "198.51.100.23")]["first_seen"].startswith("2026-01-30")
    assert values[("domain", "login-aphp.example.net")]["comment"] == "fake portal"
    assert alert["attack_steps"] == [
        {"at": None, "description": "Spearphishing Link", "technique": "T1566.002"}]  # fmt: skip
    assert alert["origin"]["threat_actor"] == "TA505"
    assert alert["countermeasures"] == [
        {"action": "Hunt it", "rule_kind": "sigma", "rule": "title: x"}]  # fmt: skip


def test_a_bad_value_is_refused_alone_and_strict_refuses_the_event(
    client: TestClient, world: World
) -> None:
    event = foreign_event()
    event["Event"]["Attribute"][1]["value"] = "not a domain!"
    event["Event"]["Object"][0]["Attribute"][1]["value"] = "xyz"
    refused = [
        "Attribute[1] 0a1b2c3d-0000-4000-8000-000000000002",
        "Object[0] 0a1b2c3d-0000-4000-8000-0000000000f1 Attribute[1] "
        "0a1b2c3d-0000-4000-8000-000000000012",
    ]
    strict = import_(client, world, "E1", event, strict="true")
    assert strict.status_code == 422
    assert [e["field"] for e in strict.json()["errors"]] == refused
    assert client.get("/api/v1/alerts", headers=world.auth("E1")).json()["items"] == []
    response = import_(client, world, "E1", event)
    assert response.status_code == 201, response.text
    assert [r["object"] for r in response.json()["refused"]] == refused
    [draft] = response.json()["drafts"]
    alert = client.get(f"/api/v1/alerts/{draft['id']}", headers=world.auth("E1")).json()
    assert {(i["type"], i["value"]) for i in alert["indicators"]} == {
        ("ipv4", "198.51.100.23"), ("filename", "facture.pdf.exe")}  # fmt: skip
    del event["Event"]["info"]
    assert import_(client, world, "E1", event).status_code == 422


def test_onion_urls_without_a_scheme_and_windows_paths_are_indicators(
    client: TestClient, world: World
) -> None:
    event = foreign_event()["Event"]  # bare, as PyMISP's own test events are
    event["Attribute"] = [
        {"type": "url", "category": "Network activity", "value": "decrypttozxybarc.onion",
         "uuid": "0a1b2c3d-0000-4000-8000-0000000000a1", "to_ids": True},
        {"type": "filename", "category": "Artifacts dropped", "value": "%TEMP%\\~Update.lnk",
         "uuid": "0a1b2c3d-0000-4000-8000-0000000000a2", "to_ids": True},
    ]  # fmt: skip
    event["Object"] = []
    response = import_(client, world, "E1", event)
    assert response.status_code == 201, response.text
    assert response.json()["refused"] == []
    [draft] = response.json()["drafts"]
    alert = client.get(f"/api/v1/alerts/{draft['id']}", headers=world.auth("E1")).json()
    values = {(i["type"], i["value"]): i["comment"] for i in alert["indicators"]}
    assert set(values) == {("url", "http://decrypttozxybarc.onion/"),
                           ("filename", "~Update.lnk")}  # fmt: skip
    assert values[("filename", "~Update.lnk")] == "path: %TEMP%\\~Update.lnk"


def test_the_establishment_hit_is_a_victim_object_unless_anonymous_to_the_reader(
    client: TestClient, world: World
) -> None:
    for anonymous, seen in ((False, ["Org E1"]), (True, [])):
        body = alert_body(tlp="green", scope={"kind": "region"}, anonymous=anonymous,
                          affected_organisation=str(world.ids["E1"]))  # fmt: skip
        created = client.post("/api/v1/alerts", json=body, headers=world.auth("R1")).json()
        client.post(f"/api/v1/alerts/{created['id']}/publish", headers=world.auth("R1"))
        event = MISPEvent()
        event.load(json.dumps(export_misp(client, world, "E4", created["id"]).json()))
        victims = [o for o in event.objects if o.name == "victim"]
        names = [a.value for o in victims for a in o.attributes if a.object_relation == "name"]
        assert names == seen, anonymous
        assert event.Orgc.name == "Org R1"


@pytest.mark.parametrize("until", ["2026-01-01T00:00:00", "soon", 17])
def test_a_naive_or_bad_expiry_in_tocsins_own_fields_is_refused_by_name(until: Any) -> None:
    from tocsin.errors import InvalidInput
    from tocsin.exchange.misp_import import plan_event

    fields = {"valid_until": {"ipv4/198.51.100.9": until}}
    event = {"Event": {"info": "Naive expiry", "uuid": "6ba7b810-9dad-41d1-80b4-00c04fd430c8",
                       "Attribute": [
                           {"type": "ip-dst", "value": "198.51.100.9", "to_ids": True},
                           {"type": "text", "comment": "TOCSIN_FIELDS", "to_ids": False,
                            "value": json.dumps(fields)}]}}  # fmt: skip
    with pytest.raises(InvalidInput) as refused:
        plan_event(event)
    assert refused.value.errors[0].field == "TOCSIN_FIELDS.valid_until.ipv4/198.51.100.9"
