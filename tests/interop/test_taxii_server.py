"""The TAXII 2.1 server, driven by the official taxii2-client against a live uvicorn server."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
import requests
import uvicorn
from taxii2client.v21 import ApiRoot, Collection, Server, as_pages

from tests.alerts.factory import alert_body, publish
from tests.world import World
from tocsin.app import create_app
from tocsin.clock import ManualClock
from tocsin.db import transaction
from tocsin.interop.stix import RETRACTED_LABEL
from tocsin.interop.taxii import store
from tocsin.interop.taxii.collections import (
    received_collection_id,
    submissions_collection_id,
    tlp_collection_id,
)
from tocsin.sharing.tlp import TLP
from tocsin.state import AppState

TAXII = "application/taxii+json;version=2.1"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def live(state: AppState) -> Iterator[str]:
    """The app served by uvicorn on a free loopback port, in a background thread."""
    port = _free_port()
    config = uvicorn.Config(create_app(state=state), host="127.0.0.1", port=port, log_level="error")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def http(live: str, client: Any) -> Any:
    """The TestClient, for writing alerts through the API (same database as the live server)."""
    return client


def root_of(live: str, world: World, who: str) -> ApiRoot:
    server = Server(f"{live}/taxii2/", user="anyone", password=world.tokens[who])
    return server.api_roots[0]


def collection_of(live: str, world: World, who: str, collection_id: str) -> Collection:
    root = root_of(live, world, who)
    return next(c for c in root.collections if c.id == collection_id)


def stix_indicator(number: int, modified: str = "2026-01-01T00:00:00.000Z") -> dict[str, Any]:
    return {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--{uuid.UUID(int=number)}",
        "created": "2026-01-01T00:00:00.000Z",
        "modified": modified,
        "pattern": f"[ipv4-addr:value = '198.51.100.{number % 250}']",
        "pattern_type": "stix",
        "valid_from": "2026-01-01T00:00:00Z",
    }


def envelope_ids(envelope: dict[str, Any]) -> list[str]:
    return [o["id"] for o in envelope.get("objects", [])]


# --- discovery, API root, collections ------------------------------------------------------


def test_discovery_api_root_and_collections_follow_the_caller(live: str, world: World) -> None:
    server = Server(f"{live}/taxii2/", user="x", password=world.tokens["so_E1"])
    assert server.title == "tocsin TAXII 2.1"
    assert server.default is not None and server.default.url == f"{live}/taxii2/api/"
    root = server.api_roots[0]
    assert root.versions == [TAXII]
    assert root.max_content_length > 0
    by_id = {c.id: c for c in root.collections}
    expected = {tlp_collection_id(t) for t in (TLP.clear, TLP.green, TLP.amber)}
    expected |= {received_collection_id(), submissions_collection_id(world.ids["E1"])}
    assert set(by_id) == expected
    assert by_id[submissions_collection_id(world.ids["E1"])].can_write is True
    assert not any(c.can_write for i, c in by_id.items() if i != submissions_collection_id(
        world.ids["E1"]))  # fmt: skip
    viewer = {c.id: c for c in root_of(live, world, "viewer_E1").collections}
    assert viewer[submissions_collection_id(world.ids["E1"])].can_write is False
    # Another organisation's submissions are not among E2's collections, and 404 if asked.
    assert submissions_collection_id(world.ids["E1"]) not in {
        c.id for c in root_of(live, world, "so_E2").collections
    }
    foreign = httpx.get(
        f"{live}/taxii2/api/collections/{submissions_collection_id(world.ids['E1'])}/",
        headers={**world.auth("E2"), "Accept": TAXII},
    )
    assert foreign.status_code == 404
    assert foreign.headers["content-type"] == TAXII


def test_bearer_and_basic_both_authenticate(live: str, world: World) -> None:
    url = f"{live}/taxii2/"
    bearer = httpx.get(url, headers={**world.auth("E1"), "Accept": TAXII})
    basic = httpx.get(url, auth=("whoever", world.tokens["so_E1"]), headers={"Accept": TAXII})
    assert bearer.status_code == basic.status_code == 200
    assert bearer.json() == basic.json()


# --- wrong headers, errors ------------------------------------------------------------------


def _is_taxii_error(response: httpx.Response, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == TAXII
    body = response.json()
    assert body["http_status"] == str(status)
    assert body["title"] and body["description"]


def test_errors_have_the_taxii_shape_and_media_type(live: str, world: World) -> None:
    auth = world.auth("E1")
    objects = f"{live}/taxii2/api/collections/{submissions_collection_id(world.ids['E1'])}/objects/"
    _is_taxii_error(httpx.get(f"{live}/taxii2/", headers={"Accept": TAXII}), 401)
    _is_taxii_error(httpx.get(f"{live}/taxii2/", auth=("u", "wrong-token")), 401)
    _is_taxii_error(httpx.get(objects, headers={**auth, "Accept": "application/json"}), 406)
    _is_taxii_error(
        httpx.get(objects, headers={**auth, "Accept": "application/taxii+json;version=2.0"}), 406
    )
    _is_taxii_error(
        httpx.post(objects, json={"objects": []}, headers={**auth, "Accept": TAXII}), 415
    )
    _is_taxii_error(httpx.get(objects + "?next=not-ours", headers=auth), 400)
    _is_taxii_error(httpx.get(objects + "?limit=0", headers=auth), 400)
    _is_taxii_error(httpx.get(objects + "?added_after=yesterday", headers=auth), 400)
    _is_taxii_error(httpx.get(objects + "?match[version]=someday", headers=auth), 400)
    _is_taxii_error(httpx.get(f"{live}/taxii2/api/nowhere/", headers=auth), 404)
    _is_taxii_error(httpx.get(f"{live}/taxii2/api/status/{uuid.uuid4()}/", headers=auth), 404)
    green = f"{live}/taxii2/api/collections/{tlp_collection_id(TLP.green)}/objects/"
    body = {"objects": [stix_indicator(1)]}
    _is_taxii_error(httpx.post(green, json=body, headers={**auth, "Content-Type": TAXII}), 403)
    viewer = world.auth("viewer_E1")
    _is_taxii_error(httpx.post(objects, json=body, headers={**viewer, "Content-Type": TAXII}), 403)
    # Accepted forms: no Accept, */*, and the TAXII media type with spaces.
    for accept in (None, "*/*", "application/taxii+json; version=2.1"):
        headers = {**auth, **({"Accept": accept} if accept else {})}
        ok = httpx.get(objects, headers=headers)
        assert ok.status_code == 200 and ok.headers["content-type"] == TAXII


# --- POST, status, object, versions, delete --------------------------------------------------


def test_add_objects_returns_a_status_and_stores_them(live: str, world: World) -> None:
    collection = collection_of(live, world, "so_E1", submissions_collection_id(world.ids["E1"]))
    bad = {"type": "indicator", "id": "not-an-id"}
    status = collection.add_objects({"objects": [stix_indicator(1), stix_indicator(2), bad]})
    assert status.status == "complete"
    assert (status.total_count, status.success_count, status.failure_count) == (3, 2, 1)
    assert status.pending_count == 0
    assert {s["id"] for s in status.successes} == {stix_indicator(n)["id"] for n in (1, 2)}
    assert status.failures[0]["id"] == "not-an-id" and status.failures[0]["message"]
    status.refresh()  # GET .../status/{id}/
    assert status.success_count == 2
    other = httpx.get(f"{live}/taxii2/api/status/{status.id}/", headers=world.auth("E2"))
    assert other.status_code == 404  # a status belongs to the organisation that posted
    assert sorted(envelope_ids(collection.get_objects())) == sorted(
        stix_indicator(n)["id"] for n in (1, 2)
    )
    again = collection.add_objects({"objects": [stix_indicator(1)]})
    assert again.success_count == 1
    assert len(envelope_ids(collection.get_objects())) == 2  # same id and version: no copy


def test_added_objects_are_validated_as_the_import_does(live: str, world: World) -> None:
    collection = collection_of(live, world, "so_E1", submissions_collection_id(world.ids["E1"]))
    bare = {"type": "indicator", "spec_version": "2.1", "id": f"indicator--{uuid.UUID(int=5)}"}
    stix20 = {  # STIX 2.0: no spec_version, labels instead of is_family and pattern_type
        "type": "indicator", "id": f"indicator--{uuid.UUID(int=6)}",
        "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
        "labels": ["malicious-activity"], "valid_from": "2026-01-01T00:00:00Z",
        "pattern": "[ipv4-addr:value = '198.51.100.6']",
    }  # fmt: skip
    declared_20 = {**stix_indicator(7), "spec_version": "2.0"}
    deep = {**stix_indicator(8), "pattern": "(" * 400 + "[file:name MATCHES 'a']"}
    broken = {**stix_indicator(9), "pattern": "[ipv4-addr:value = ]"}
    status = collection.add_objects(
        {"objects": [stix_indicator(1), bare, stix20, declared_20, deep, broken]}
    )
    assert (status.success_count, status.failure_count) == (1, 5)
    reasons = {f["id"]: f["message"] for f in status.failures}
    assert "created" in reasons[bare["id"]]
    assert "2.1" in reasons[stix20["id"]] and "2.1" in reasons[declared_20["id"]]
    assert "nested deeper" in reasons[deep["id"]]
    assert "pattern" in reasons[broken["id"]]
    assert envelope_ids(collection.get_objects()) == [stix_indicator(1)["id"]]


def test_object_versions_and_the_version_filter(live: str, world: World) -> None:
    collection = collection_of(live, world, "so_E1", submissions_collection_id(world.ids["E1"]))
    stamps = ["2026-01-01T00:00:00.000Z", "2026-02-01T00:00:00.000Z", "2026-03-01T00:00:00.000Z"]
    # Sent out of order: first/last follow `modified`, not arrival.
    for stamp in (stamps[1], stamps[0], stamps[2]):
        collection.add_objects({"objects": [stix_indicator(7, stamp)]})
    collection.add_objects({"objects": [stix_indicator(8)]})
    object_id = stix_indicator(7)["id"]

    def modified(envelope: dict[str, Any]) -> list[str]:
        return sorted(o["modified"] for o in envelope.get("objects", []))

    assert modified(collection.get_object(object_id)) == [stamps[2]]
    assert modified(collection.get_object(object_id, version="first")) == [stamps[0]]
    assert modified(collection.get_object(object_id, version="all")) == stamps
    assert modified(collection.get_object(object_id, version=[stamps[0], stamps[1]])) == stamps[:2]
    assert modified(collection.get_objects(version="first", id=object_id)) == [stamps[0]]
    assert len(collection.get_objects(version="all")["objects"]) == 4
    versions = collection.object_versions(object_id)
    assert sorted(versions["versions"]) == stamps and versions["more"] is False
    collection.delete_object(object_id, version=stamps[2])
    assert modified(collection.get_object(object_id)) == [stamps[1]]  # the new last
    collection.delete_object(object_id)
    with pytest.raises(requests.HTTPError) as missing:
        collection.get_object(object_id)
    assert missing.value.response.status_code == 404
    assert envelope_ids(collection.get_objects()) == [stix_indicator(8)["id"]]


def test_match_type_id_and_spec_version(live: str, world: World) -> None:
    collection = collection_of(live, world, "so_E1", submissions_collection_id(world.ids["E1"]))
    old_style = {
        "type": "malware",
        "spec_version": "2.1",
        "id": f"malware--{uuid.UUID(int=99)}",
        "created": "2026-01-01T00:00:00.000Z",
        "modified": "2026-01-01T00:00:00.000Z",
        "name": "LockBit",
        "is_family": True,
    }
    collection.add_objects({"objects": [stix_indicator(1), stix_indicator(2), old_style]})
    assert envelope_ids(collection.get_objects(type="malware")) == [old_style["id"]]
    assert len(envelope_ids(collection.get_objects(type=["malware", "indicator"]))) == 3
    wanted = [stix_indicator(2)["id"], old_style["id"]]
    assert sorted(envelope_ids(collection.get_objects(id=wanted))) == sorted(wanted)
    assert envelope_ids(collection.get_objects(spec_version="2.0")) == []
    assert len(envelope_ids(collection.get_objects(spec_version="2.1"))) == 3
    assert envelope_ids(collection.get_objects(type="tool")) == []


def test_manifest_added_after_and_date_added_headers(live: str, world: World) -> None:
    collection = collection_of(live, world, "so_E1", submissions_collection_id(world.ids["E1"]))
    collection.add_objects({"objects": [stix_indicator(n) for n in range(1, 6)]})
    manifest = collection.get_manifest()
    entries = manifest["objects"]
    assert len(entries) == 5
    assert all(e["media_type"] == "application/stix+json;version=2.1" for e in entries)
    assert all(e["version"] == "2026-01-01T00:00:00.000Z" for e in entries)
    added = [e["date_added"] for e in entries]
    assert added == sorted(added) and len(set(added)) == 5  # unique, strictly increasing
    after = collection.get_objects(added_after=added[1])
    assert envelope_ids(after) == [e["id"] for e in entries[2:]]  # strictly after
    url = f"{live}/taxii2/api/collections/{collection.id}/objects/?added_after={added[1]}"
    response = httpx.get(url, headers=world.auth("E1"))
    assert response.headers["X-TAXII-Date-Added-First"] == added[2]
    assert response.headers["X-TAXII-Date-Added-Last"] == added[4]
    manifest_page = httpx.get(
        f"{live}/taxii2/api/collections/{collection.id}/manifest/?limit=2", headers=world.auth("E1")
    )
    assert manifest_page.headers["X-TAXII-Date-Added-Last"] == added[1]
    assert manifest_page.json()["more"] is True and manifest_page.json()["next"]


# --- alerts become objects, readers checked on each request ----------------------------------


# Objects the OASIS definitions and tocsin's own identity and extension carry unmarked.
UNMARKED = {"marking-definition", "extension-definition", "identity"}


def indicators_of(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The indicators of observables (the alert's detection rules are indicators too)."""
    return [o for o in objects if o["type"] == "indicator" and o["pattern_type"] == "stix"]


def test_published_alert_indicators_reach_the_collection_of_their_tlp(
    live: str, http: Any, world: World
) -> None:
    alert = publish(http, world, "E1", tlp="green")
    for reader in ("so_E5", "viewer_N", "so_P"):
        green = collection_of(live, world, reader, tlp_collection_id(TLP.green))
        objects = green.get_objects()["objects"]
        indicators = indicators_of(objects)
        patterns = sorted(o["pattern"] for o in indicators)
        assert patterns == sorted(
            [
                "[domain-name:value = 'evil.example.com']",
                "[ipv4-addr:value = '203.0.113.7']",
                "[file:hashes.'SHA-256' = '" + "a" * 64 + "']",
                "[url:value = 'https://evil.example.com/payload?x=1']",
            ]
        ), reader
        rules = [o["pattern_type"] for o in objects if o["type"] == "indicator"]
        assert sorted(rules) == ["stix"] * 4 + ["yara"]
        [report] = [o for o in objects if o["type"] == "report"]
        assert report["name"] == alert["title"]
        assert {o["id"] for o in indicators} <= set(report["object_refs"])
        marked = [o for o in objects if o["type"] not in UNMARKED]
        assert {o["type"] for o in marked} >= {"report", "indicator", "malware"}
        assert all(
            o["object_marking_refs"] == ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"]
            for o in marked
        )
    clear = collection_of(live, world, "so_E5", tlp_collection_id(TLP.clear))
    assert clear.get_objects()["objects"] == []


def test_amber_objects_only_for_readers_and_received_only_for_recipients(
    live: str, http: Any, world: World
) -> None:
    publish(http, world, "E1", tlp="amber", scope={"kind": "group"})  # G1: E2, E3 receive
    amber = tlp_collection_id(TLP.amber)
    for reader in ("so_E2", "so_G1", "so_R1", "so_N", "so_E1"):
        objects = collection_of(live, world, reader, amber).get_objects()["objects"]
        assert len(indicators_of(objects)) == 4, reader
    for outsider in ("so_E4", "so_E5", "so_P"):
        assert collection_of(live, world, outsider, amber).get_objects()["objects"] == []
    received = received_collection_id()
    objects = collection_of(live, world, "so_E2", received).get_objects()["objects"]
    assert len(indicators_of(objects)) == 4
    for not_received in ("so_E1", "so_R1", "so_E4"):  # source, relay, outsider
        envelope = collection_of(live, world, not_received, received).get_objects()
        assert envelope["objects"] == [], not_received
    # Object by id answers 404 to a caller who may not read it.
    object_id = collection_of(live, world, "so_E2", amber).get_objects()["objects"][0]["id"]
    hidden = httpx.get(
        f"{live}/taxii2/api/collections/{amber}/objects/{object_id}/", headers=world.auth("E5")
    )
    assert hidden.status_code == 404


def test_amber_strict_and_red_never_leave(live: str, http: Any, world: World) -> None:
    publish(http, world, "E1", tlp="amber+strict", scope={"kind": "group"})
    publish(
        http, world, "E1", tlp="red", scope={"kind": "explicit", "organisations": [
            str(world.ids["E2"])]},
    )  # fmt: skip
    for who in ("so_E1", "so_E2", "so_N"):
        root = root_of(live, world, who)
        for collection in root.collections:
            assert collection.get_objects()["objects"] == [], (who, collection.title)


def test_updates_add_versions_and_a_tlp_change_moves_the_objects(
    live: str, http: Any, clock: ManualClock, world: World
) -> None:
    alert = publish(http, world, "E1", tlp="green")
    clock.advance(timedelta(hours=1))
    kept = alert_body()["indicators"][:1]  # keep the domain, withdraw the three others
    changed = http.patch(
        f"/api/v1/alerts/{alert['id']}", json={"indicators": kept}, headers=world.auth("E1")
    )
    assert changed.status_code == 200, changed.text
    green = collection_of(live, world, "so_E5", tlp_collection_id(TLP.green))
    latest = indicators_of(green.get_objects()["objects"])
    revoked = sorted(o["pattern"] for o in latest if o.get("revoked"))
    assert len(latest) == 4 and len(revoked) == 3  # withdrawn: revoked, so consumers drop them
    assert "[domain-name:value = 'evil.example.com']" not in revoked
    every_version = indicators_of(green.get_objects(version="all")["objects"])
    assert len(every_version) == 7  # 4 first + 3 revoked
    domain_id = next(o["id"] for o in latest if "domain-name" in o["pattern"])
    assert len(green.object_versions(domain_id)["versions"]) == 1  # unchanged: no new version
    clock.advance(timedelta(hours=1))
    moved = http.patch(
        f"/api/v1/alerts/{alert['id']}",
        json={"tlp": "amber", "scope": {"kind": "group"}},
        headers=world.auth("E1"),
    )
    assert moved.status_code == 200, moved.text
    assert green.get_objects()["objects"] == []
    amber = collection_of(live, world, "so_E2", tlp_collection_id(TLP.amber))
    [domain] = indicators_of(amber.get_objects()["objects"])
    assert domain["id"] == domain_id and not domain.get("revoked")


def test_a_retracted_alert_revokes_every_object_it_published(
    live: str, http: Any, clock: ManualClock, world: World
) -> None:
    alert = publish(http, world, "E1", tlp="green")
    clock.advance(timedelta(hours=1))
    retracted = http.post(
        f"/api/v1/alerts/{alert['id']}/retract", json={"reason": "false positive"},
        headers=world.auth("E1"),
    )  # fmt: skip
    assert retracted.status_code == 200, retracted.text
    green = collection_of(live, world, "so_E5", tlp_collection_id(TLP.green))
    latest = green.get_objects()["objects"]
    # identities and definitions are shared with other alerts: revoking them would tell
    # consumers the organisation (or tocsin itself) is withdrawn
    owned = [o for o in latest if o["type"] not in UNMARKED]
    assert owned and all(o.get("revoked") is True for o in owned)
    assert all(RETRACTED_LABEL in o["labels"] for o in owned)
    assert not any(o.get("revoked") for o in latest if o["type"] in UNMARKED)


# --- pagination over thousands of objects ----------------------------------------------------


def test_pages_to_the_end_over_2500_objects(live: str, state: AppState, world: World) -> None:
    collection_id = submissions_collection_id(world.ids["E1"])
    sent = [stix_indicator(n) for n in range(1, 2601)]
    with transaction(state.sessions) as session:
        result = store.add_objects(
            session=session,
            collection_id=collection_id,
            objects=sent,
            now=state.clock.now(),
            owner_org_id=world.ids["E1"],
        )
    assert len(result.successes) == 2600
    collection = collection_of(live, world, "so_E1", collection_id)
    pages = list(as_pages(collection.get_objects, per_request=700))
    assert [len(p["objects"]) for p in pages] == [700, 700, 700, 500]
    assert all(p["more"] is True and p["next"] for p in pages[:-1])
    assert pages[-1]["more"] is False and "next" not in pages[-1]
    received = [o["id"] for p in pages for o in p["objects"]]
    assert received == [o["id"] for o in sent]  # every object once, in date_added order
    manifest_pages = list(as_pages(collection.get_manifest, per_request=1000))
    added = [e["date_added"] for p in manifest_pages for e in p["objects"]]
    assert len(added) == 2600 and added == sorted(set(added))
    filtered = list(as_pages(collection.get_objects, per_request=500, added_after=added[1999]))
    assert sum(len(p["objects"]) for p in filtered) == 600
