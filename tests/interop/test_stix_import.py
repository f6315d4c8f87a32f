"""STIX 2.1 import: drafts per report, everything mapped or kept, bad input refused whole."""

from __future__ import annotations

import copy
from typing import Any

from fastapi.testclient import TestClient

from tests.alerts.factory import publish
from tests.interop.test_stix_export import assert_valid, by_type, export
from tests.world import World
from tocsin.app import create_app
from tocsin.state import AppState

ID = "{kind}--6ba7b810-9dad-41d1-80b4-00c04fd430{n:02x}"
T = "2025-03-01T10:00:00.000Z"


def sdo(kind: str, n: int, **props: Any) -> dict[str, Any]:
    return {"type": kind, "spec_version": "2.1", "id": ID.format(kind=kind, n=n),
            "created": T, "modified": T, **props}  # fmt: skip


def foreign_bundle() -> dict[str, Any]:
    """A bundle as another platform writes it: two reports, loose objects, a custom type."""
    amber = "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"  # TLP 1.0 AMBER
    ind = sdo("indicator", 1, pattern="[ipv4-addr:value = '198.51.100.9' OR "
              "domain-name:value = 'c2.example.net']", pattern_type="stix", valid_from=T,
              object_marking_refs=[amber])  # fmt: skip
    mal = sdo("malware", 2, name="Qakbot", is_family=True)
    rel = sdo("relationship", 3, relationship_type="indicates",
              source_ref=ind["id"], target_ref=mal["id"])  # fmt: skip
    custom = sdo("x-acme-ticket", 4, ticket="INC-42")
    odd = sdo("indicator", 5, pattern="[file:name MATCHES '^inv.*\\\\.exe$']",
              pattern_type="stix", valid_from=T)  # fmt: skip
    refs = [ind["id"], mal["id"], rel["id"], custom["id"], odd["id"]]
    report_a = sdo("report", 6, name="Qakbot wave", published=T, object_refs=refs)
    cve = {"source_name": "cve", "external_id": "CVE-2024-21762"}
    vuln = sdo("vulnerability", 7, name="Fortinet flaw", external_references=[cve])
    report_b = sdo("report", 8, name="Fortinet", published=T, object_refs=[vuln["id"]])
    loose = sdo("attack-pattern", 9, name="Phishing", external_references=[
        {"source_name": "mitre-attack", "external_id": "T1566"}])  # fmt: skip
    return {"type": "bundle", "id": ID.format(kind="bundle", n=0),
            "objects": [ind, mal, rel, custom, odd, report_a, vuln, report_b, loose,
                        sdo("identity", 10, name="ACME CERT")]}  # fmt: skip


def import_(client: TestClient, world: World, who: str, body: Any, **params: Any) -> Any:
    return client.post("/api/v1/imports", json=body, params=params, headers=world.auth(who))


def strip(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    """The bundle without what legitimately changes: times, author, bundle id."""
    out = []
    for obj in bundle["objects"]:
        if obj["type"] == "identity" and obj["name"] != "tocsin":
            continue
        obj = {k: val for k, val in obj.items()
               if k not in ("created", "modified", "published", "created_by_ref")}  # fmt: skip
        if obj.get("pattern_type") in ("yara", "sigma"):
            obj.pop("valid_from")
        if "object_refs" in obj:
            obj["object_refs"] = [r for r in obj["object_refs"] if not r.startswith("identity")]
        out.append(obj)
    return out


def test_export_import_export_is_stable(client: TestClient, world: World) -> None:
    alert = publish(client, world, "E1", tlp="green", first_seen="2026-01-01T00:00:00Z")
    first = export(client, world, "E2", alert["id"]).json()
    created = import_(client, world, "E2", first)
    assert created.status_code == 201, created.text
    [draft] = created.json()["drafts"]
    assert draft["indicators"] == 4 and draft["attack_steps"] == 2
    assert draft["countermeasures"] == 2 and draft["tlp"] == "green"
    second = export(client, world, "E2", draft["id"]).json()
    assert_valid(second)
    assert strip(second) == strip(first)
    mine = client.get(f"/api/v1/alerts/{draft['id']}", headers=world.auth("E2")).json()
    assert mine["status"] == "draft"
    assert mine["care_impact"] == alert["care_impact"]
    assert mine["countermeasures"] == alert["countermeasures"]
    assert mine["attack_steps"] == alert["attack_steps"]
    again = import_(client, world, "E3", second).json()["drafts"][0]
    third = export(client, world, "E3", again["id"]).json()
    assert strip(third) == strip(first)


def test_a_foreign_bundle_becomes_one_draft_per_report_and_keeps_the_rest(
    client: TestClient, world: World
) -> None:
    bundle = foreign_bundle()
    dry = import_(client, world, "E1", bundle, dry_run="true").json()
    assert [d["id"] for d in dry["drafts"]] == [None, None, None]
    listed = client.get("/api/v1/alerts", headers=world.auth("E1")).json()["items"]
    assert listed == []
    drafts = import_(client, world, "E1", bundle).json()["drafts"]
    assert [d["title"] for d in drafts] == [
        "Qakbot wave", "Fortinet", f"Imported STIX bundle {bundle['id']}"]  # fmt: skip
    qakbot = client.get(f"/api/v1/alerts/{drafts[0]['id']}", headers=world.auth("E1")).json()
    assert qakbot["tlp"] == "amber"
    assert {(i["type"], i["value"]) for i in qakbot["indicators"]} == {
        ("ipv4", "198.51.100.9"), ("domain", "c2.example.net")}  # fmt: skip
    assert qakbot["origin"]["malware_family"] == "Qakbot"
    assert drafts[0]["attachments"] == 2  # the custom ticket and the MATCHES indicator
    kept = {o["id"] for o in export(client, world, "E1", drafts[0]["id"]).json()["objects"]}
    assert {bundle["objects"][3]["id"], bundle["objects"][4]["id"]} <= kept
    fortinet = client.get(f"/api/v1/alerts/{drafts[1]['id']}", headers=world.auth("E1")).json()
    assert fortinet["indicators"][0]["value"] == "CVE-2024-21762"
    loose = client.get(f"/api/v1/alerts/{drafts[2]['id']}", headers=world.auth("E1")).json()
    assert loose["attack_steps"] == [
        {"at": None, "description": "Phishing", "technique": "T1566"}]  # fmt: skip


def test_bad_objects_are_refused_one_by_one_and_the_rest_imported(
    client: TestClient, world: World
) -> None:
    bundle = foreign_bundle()
    broken = copy.deepcopy(bundle)
    broken["objects"][0]["pattern"] = "[ipv4-addr:value = '999.1.1.1']"
    del broken["objects"][1]["is_family"]
    broken["objects"][6]["created"] = "yesterday"
    broken["objects"].append({"type": "indicator", "id": "nope"})
    refused = {
        f"objects[0] {bundle['objects'][0]['id']}",
        f"objects[1] {bundle['objects'][1]['id']}",
        f"objects[6] {bundle['objects'][6]['id']}",
        "objects[10] nope",
    }
    strict = import_(client, world, "E1", broken, strict="true")
    assert strict.status_code == 422
    fields = {e["field"]: e["reason"] for e in strict.json()["errors"]}
    assert set(fields) == refused
    assert "IPv4" in fields[f"objects[0] {bundle['objects'][0]['id']}"]
    assert client.get("/api/v1/alerts", headers=world.auth("E1")).json()["items"] == []

    response = import_(client, world, "E1", broken)
    assert response.status_code == 201, response.text
    assert {r["object"] for r in response.json()["refused"]} == refused
    assert [d["title"] for d in response.json()["drafts"]] == [
        "Qakbot wave", "Fortinet", f"Imported STIX bundle {bundle['id']}"]  # fmt: skip
    only_bad = {"type": "bundle", "id": bundle["id"], "objects": broken["objects"][:2]}
    assert import_(client, world, "E1", only_bad).status_code == 422  # nothing left
    assert import_(client, world, "E1", {"hello": "world"}).status_code == 422
    assert import_(client, world, "viewer_E1", bundle).status_code == 403


def test_observables_and_lone_objects_import(client: TestClient, world: World) -> None:
    address = {"type": "ipv4-addr", "spec_version": "2.1", "value": "198.51.100.7",
               "id": "ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd"}  # fmt: skip
    observed = sdo("observed-data", 20, first_observed=T, last_observed=T,
                   number_observed=1, object_refs=[address["id"]])  # fmt: skip
    report = sdo("report", 21, name="Scan", published=T,
                 object_refs=[address["id"], observed["id"]])  # fmt: skip
    bundle = {"type": "bundle", "id": ID.format(kind="bundle", n=1),
              "objects": [address, observed, report]}  # fmt: skip
    response = import_(client, world, "E1", bundle)
    assert response.status_code == 201, response.text
    assert response.json()["refused"] == []
    [draft] = response.json()["drafts"]
    assert (draft["indicators"], draft["attachments"]) == (1, 0)  # the address, as context
    lone = sdo("campaign", 22, name="Spear Phishing")
    [kept] = import_(client, world, "E1", lone).json()["drafts"]
    assert kept["attachments"] == 1


def test_strictest_marking_wins_and_red_stays_with_the_importer(
    client: TestClient, world: World
) -> None:
    alert = publish(client, world, "E1", tlp="amber+strict", scope={"kind": "group"})
    bundle = export(client, world, "E1", alert["id"]).json()
    red = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
    by_type(bundle, "indicator")[0]["object_marking_refs"] = [red]
    [draft] = import_(client, world, "G1", bundle).json()["drafts"]
    assert draft["tlp"] == "red"
    stored = client.get(f"/api/v1/alerts/{draft['id']}", headers=world.auth("G1")).json()
    assert stored["scope"] == {"kind": "explicit", "area_id": None,
                               "organisations": [str(world.ids["G1"])]}  # fmt: skip


def test_a_bundle_over_the_body_limit_gets_413(state: AppState, world: World) -> None:
    small = AppState(
        settings=state.settings.model_copy(update={"max_body_bytes": 2_000}),
        engine=state.engine, sessions=state.sessions, clock=state.clock,
    )  # fmt: skip
    bundle = foreign_bundle()
    bundle["objects"] += [sdo("x-acme-note", 100 + n, text="x" * 100) for n in range(30)]
    with TestClient(create_app(state=small)) as client:
        response = import_(client, world, "E1", bundle)
        assert response.status_code == 413
        assert client.get("/api/v1/alerts", headers=world.auth("E1")).json()["items"] == []


def deep_pattern_bundle() -> dict[str, Any]:
    deep = sdo("indicator", 1, pattern="(" * 400 + "[file:name MATCHES 'a']",
               pattern_type="stix", valid_from=T)  # fmt: skip
    report = sdo("report", 2, name="Deep", published=T, object_refs=[deep["id"]])
    return {"type": "bundle", "id": ID.format(kind="bundle", n=0), "objects": [deep, report]}


def test_a_deeply_nested_pattern_is_a_422_naming_the_object(
    client: TestClient, world: World
) -> None:
    bundle = deep_pattern_bundle()
    alone = {**bundle, "objects": bundle["objects"][:1]}
    answer = import_(client, world, "E1", alone)
    assert answer.status_code == 422, answer.text
    [error] = answer.json()["errors"]
    assert "indicator--" in error["field"] and "nested deeper" in error["reason"]
    # Beside a sound report, the deep indicator alone is refused and named.
    kept = import_(client, world, "E1", bundle)
    assert kept.status_code == 201, kept.text
    [refusal] = kept.json()["refused"]
    assert "indicator--" in refusal["object"] and "nested deeper" in refusal["reason"]


def test_a_sighting_dates_the_indicator_it_saw_and_is_kept(
    client: TestClient, world: World
) -> None:
    ind = sdo("indicator", 40, pattern="[domain-name:value = 'seen.example.net']",
              pattern_type="stix", valid_from=T)  # fmt: skip
    sighting = sdo("sighting", 41, sighting_of_ref=ind["id"], count=3,
                   first_seen="2025-02-01T08:00:00.000Z", last_seen=T)  # fmt: skip
    bundle = {"type": "bundle", "id": ID.format(kind="bundle", n=4), "objects": [ind, sighting]}
    [draft] = import_(client, world, "E1", bundle).json()["drafts"]
    assert draft["attachments"] == 1
    alert = client.get(f"/api/v1/alerts/{draft['id']}", headers=world.auth("E1")).json()
    [indicator] = alert["indicators"]
    assert indicator["first_seen"].startswith("2025-02-01T08:00")
