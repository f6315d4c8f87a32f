"""The incident log and checklist of the crisis cell, and the regulatory export."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from tests.obligations.helpers import set_status
from tests.relay.factory import URL, declare
from tests.world import World
from tocsin.clock import ManualClock
from tocsin.state import AppState


def test_checklist_ticks_go_into_the_incident_log(
    client: TestClient, world: World, clock: ManualClock
) -> None:
    url = f"{URL}/{declare(client, world)['id']}"
    clock.advance(timedelta(minutes=5))
    ticked = client.post(
        f"{url}/checklist/isolate", json={"note": "VLAN cut"}, headers=world.auth("E1")
    )
    assert ticked.status_code == 200, ticked.text
    item = next(i for i in ticked.json()["checklist"] if i["key"] == "isolate")
    assert item["done_at"] == "2026-01-01T08:05:00Z"
    assert item["done_by"] == str(world.users["so_E1"])
    log = client.get(f"{url}/log", headers=world.auth("R1")).json()
    assert log[-1]["kind"] == "checklist" and log[-1]["checklist_item"] == "isolate"
    assert "VLAN cut" in log[-1]["text"]
    undone = client.post(f"{url}/checklist/isolate", json={"done": False}, headers=world.auth("E1"))
    assert next(i for i in undone.json()["checklist"] if i["key"] == "isolate")["done_at"] is None


def test_checklist_refusals(client: TestClient, world: World) -> None:
    url = f"{URL}/{declare(client, world)['id']}"
    unknown = client.post(f"{url}/checklist/pray", headers=world.auth("E1"))
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "item"
    assert client.post(f"{url}/checklist/isolate", headers=world.auth("G1")).status_code == 403
    outage = declare(client, world, kind="outage", nature="accidental")
    assert outage["checklist"] == []
    none = client.post(f"{URL}/{outage['id']}/checklist/isolate", headers=world.auth("E1"))
    assert none.status_code == 409


def test_anyone_in_the_cell_writes_the_log(
    client: TestClient, world: World, clock: ManualClock
) -> None:
    url = f"{URL}/{declare(client, world)['id']}"
    clock.advance(timedelta(minutes=10))
    by_region = client.post(
        f"{url}/log", json={"text": "ARS crisis call at 9:00"}, headers=world.auth("R1")
    )
    assert by_region.status_code == 201, by_region.text
    earlier = client.post(
        f"{url}/log",
        json={"text": "Ransom note found", "at": "2026-01-01T07:05:00Z"},
        headers=world.auth("E1"),
    )
    assert earlier.status_code == 201
    log = client.get(f"{url}/log", headers=world.auth("E1")).json()
    assert [e["text"] for e in log] == [
        "Ransom note found",
        "Incident declared",
        "ARS crisis call at 9:00",
    ]
    assert log[-1]["author"]["id"] == str(world.ids["R1"])
    assert (
        client.post(f"{url}/log", json={"text": "x"}, headers=world.auth("E2")).status_code == 404
    )
    future = client.post(
        f"{url}/log", json={"text": "x", "at": "2026-02-01T00:00:00Z"}, headers=world.auth("E1")
    )
    assert future.status_code == 422 and future.json()["errors"][0]["field"] == "at"


def test_regulatory_export_as_json(client: TestClient, world: World, state: AppState) -> None:
    set_status(state, world, "E1", "essential")
    url = f"{URL}/{declare(client, world, aware_at='2026-01-01T07:00:00Z')['id']}/regulatory"
    response = client.get(url, headers=world.auth("E1"))
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    report = response.json()
    assert report["identity"]["structure"]["name"] == "Org E1"
    assert report["identity"]["declarant"]["name"] == "Camille Martin"
    assert report["description"]["discovered_at"] == "2026-01-01T07:00:00Z"
    assert report["impacts"]["care"]["services"] == ["imaging", "emergency"]
    assert report["causes"]["malware_family"] == "LockBit 3.0"
    assert report["category"]["number"] == 4 and report["significant"] is True
    codes = {o["code"]: o for o in report["obligations"]}
    assert set(codes) == {"ars", "cnil", "anssi", "complaint"}
    assert codes["cnil"]["due_at"] == "2026-01-04T07:00:00Z"
    assert report["resolution"] is None
    assert client.get(url, headers=world.auth("E2")).status_code == 404


def test_regulatory_export_as_a_printable_page_with_resolution(
    client: TestClient, world: World, clock: ManualClock
) -> None:
    declaration = declare(client, world, title="Ransomware <script>alert(1)</script>")
    clock.advance(timedelta(days=3))
    resolution = {
        "ended_at": "2026-01-03T18:00:00Z",
        "summary": "Systems rebuilt",
        "measures": "MFA everywhere",
        "care_restored_at": "2026-01-03T20:00:00Z",
    }
    closed = client.post(
        f"{URL}/{declaration['id']}/close", json=resolution, headers=world.auth("E1")
    )
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    url = f"{URL}/{declaration['id']}/regulatory"
    page = client.get(url, params={"format": "html"}, headers=world.auth("R1"))
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for block in (
        'id="identity"',
        'id="description"',
        'id="impacts"',
        'id="causes"',
        'id="obligations"',
        'id="resolution"',
        "Systems rebuilt",
        "CNIL",
    ):
        assert block in page.text, block
    assert "<script>alert(1)" not in page.text, "declarant text is escaped"
    by_accept = client.get(url, headers={**world.auth("E1"), "Accept": "text/html"})
    assert by_accept.headers["content-type"].startswith("text/html")
    assert client.get(url, headers=world.auth("E1")).json()["resolution"]["summary"] == (
        "Systems rebuilt"
    )
    again = client.post(
        f"{URL}/{declaration['id']}/close", json=resolution, headers=world.auth("E1")
    )
    assert again.status_code == 409
    edit = client.patch(f"{URL}/{declaration['id']}", json={"title": "x"}, headers=world.auth("E1"))
    assert edit.status_code == 409


def test_resolution_in_the_future_is_refused(client: TestClient, world: World) -> None:
    declaration = declare(client, world)
    resolution = {"ended_at": "2026-06-01T00:00:00Z", "summary": "Later"}
    response = client.post(
        f"{URL}/{declaration['id']}/close", json=resolution, headers=world.auth("E1")
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "ended_at"
