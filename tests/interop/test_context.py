"""Context stays context: MISP `to_ids: false`, observables and composite observations never
become blocklist entries on their own, through import, feeds and exports."""

from __future__ import annotations

import copy
from typing import Any

from fastapi.testclient import TestClient

from tests.interop.test_feeds import feed, lines
from tests.interop.test_misp import foreign_event
from tests.interop.test_stix_import import ID, T, sdo
from tests.web.helpers import sign_in
from tests.world import World

MD5 = "0123456789abcdef0123456789abcdef"


def import_and_publish(client: TestClient, world: World, body: Any) -> dict[str, Any]:
    response = client.post("/api/v1/imports", json=body, headers=world.auth("E1"))
    assert response.status_code == 201, response.text
    [draft] = response.json()["drafts"]
    client.patch(f"/api/v1/alerts/{draft['id']}", json={"tlp": "green", "scope": {"kind": "group"}},
                 headers=world.auth("E1"))  # fmt: skip
    published = client.post(f"/api/v1/alerts/{draft['id']}/publish", headers=world.auth("E1"))
    assert published.status_code == 200, published.text
    return dict(published.json())


def test_misp_context_and_composites_stay_out_of_blocklists(
    client: TestClient, world: World
) -> None:
    event = copy.deepcopy(foreign_event())
    event["Event"]["Attribute"][1]["to_ids"] = False  # the domain is context
    event["Event"]["Attribute"].append(
        {"uuid": "0a1b2c3d-0000-4000-8000-000000000005", "type": "filename|md5",
         "category": "Payload delivery", "value": f"svchost.exe|{MD5}", "to_ids": True})  # fmt: skip
    alert = import_and_publish(client, world, event)
    indicators = {(i["type"], i["value"]): i for i in alert["indicators"]}
    assert indicators[("domain", "login-aphp.example.net")]["context"] is True
    assert indicators[("md5", MD5)]["context"] is False
    assert indicators[("md5", MD5)]["comment"] == "file name: svchost.exe"
    assert not any(kind == "filename" for kind, _ in indicators)

    assert lines(feed(client, world, "E2", "domain.txt")) == []
    assert lines(feed(client, world, "E2", "md5.txt")) == [MD5]
    assert lines(feed(client, world, "E2", "filename.txt")) == []
    assert "login-aphp" not in feed(client, world, "E2", "rpz.zone").text
    assert "login-aphp" not in feed(client, world, "E2", "indicators.csv").text
    search = client.get("/api/v1/indicators", params={"value": "login-aphp[.]example.net"},
                        headers=world.auth("E2"))  # fmt: skip
    [hit] = search.json()
    assert (hit["alert"]["id"], hit["indicator"]["context"]) == (alert["id"], True)

    exported = client.get(f"/api/v1/alerts/{alert['id']}/export", params={"format": "misp"},
                          headers=world.auth("E2")).json()["Event"]  # fmt: skip
    to_ids = {a["value"]: a["to_ids"] for a in exported["Attribute"]}
    assert to_ids["login-aphp.example.net"] is False and to_ids[MD5] is True
    bundle = client.get(f"/api/v1/alerts/{alert['id']}/export", headers=world.auth("E2")).json()
    patterns = " ".join(o.get("pattern", "") for o in bundle["objects"])
    assert "login-aphp" not in patterns and MD5 in patterns
    sign_in(client, "so_E2")
    page = client.get(f"/alerts/{alert['id']}").text
    assert page.count(">contexte</span>") == 1  # the domain is shown, marked as context
    [observed] = [o for o in bundle["objects"] if o["type"] == "observed-data"]
    domains = [o for o in bundle["objects"] if o["type"] == "domain-name"]
    assert [d["value"] for d in domains] == ["login-aphp.example.net"]
    assert observed["object_refs"] == [domains[0]["id"]]


def test_stix_and_patterns_and_observables_are_kept_whole(client: TestClient, world: World) -> None:
    whole = sdo("indicator", 30, pattern=f"[file:name = 'svchost.exe' AND file:hashes.MD5 = '{MD5}']",
                pattern_type="stix", valid_from=T)  # fmt: skip
    seen = {"type": "ipv4-addr", "spec_version": "2.1", "value": "198.51.100.77",
            "id": "ipv4-addr--1e4ffad7-0b88-41d4-ba4d-77d27490b956"}  # fmt: skip
    observed = sdo("observed-data", 31, first_observed=T, last_observed=T, number_observed=1,
                   object_refs=[seen["id"]])  # fmt: skip
    bundle = {"type": "bundle", "id": ID.format(kind="bundle", n=3),
              "objects": [whole, seen, observed]}  # fmt: skip
    alert = import_and_publish(client, world, bundle)
    indicators = {(i["type"], i["value"]): i for i in alert["indicators"]}
    assert set(indicators) == {("md5", MD5), ("ipv4", "198.51.100.77")}
    assert indicators[("md5", MD5)]["comment"] == "file name: svchost.exe"
    assert indicators[("ipv4", "198.51.100.77")]["context"] is True
    assert lines(feed(client, world, "E2", "ipv4.txt")) == []
    assert lines(feed(client, world, "E2", "md5.txt")) == [MD5]
