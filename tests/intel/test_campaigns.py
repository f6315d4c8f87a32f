"""Campaigns shaped by analysts, within their perimeter only."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.alerts.factory import publish
from tests.world import World

ALONE = [{"type": "sha256", "value": "c" * 64}]
OTHER = [{"type": "sha256", "value": "d" * 64}]


def test_analysts_name_merge_and_split_within_their_perimeter(
    client: TestClient, world: World
) -> None:
    first = publish(client, world, "E1", indicators=ALONE, tlp="green")
    second = publish(client, world, "E4", indicators=OTHER, tlp="green")
    far = publish(client, world, "E5", indicators=OTHER[:0], tlp="green")
    make = {"name": "LockBit wave", "alert_ids": [first["id"]]}
    denied = client.post("/api/v1/campaigns", json=make, headers=world.auth("E1"))
    assert denied.status_code == 403  # an establishment is not an analyst
    a = client.post("/api/v1/campaigns", json=make, headers=world.auth("R1"))
    assert a.status_code == 201, a.text
    b = client.post(
        "/api/v1/campaigns",
        json={"name": "b", "alert_ids": [second["id"]]},
        headers=world.auth("R1"),
    )
    c = client.post(
        "/api/v1/campaigns", json={"name": "c", "alert_ids": [far["id"]]}, headers=world.auth("N")
    )
    assert b.status_code == c.status_code == 201
    across = client.post(
        f"/api/v1/campaigns/{a.json()['id']}/merge",
        json={"other_id": c.json()["id"]},
        headers=world.auth("R1"),
    )
    assert across.status_code == 403  # E5 is in R2, outside R1's perimeter
    merged = client.post(
        f"/api/v1/campaigns/{a.json()['id']}/merge",
        json={"other_id": b.json()["id"]},
        headers=world.auth("R1"),
    )
    assert merged.status_code == 200, merged.text
    assert {x["id"] for x in merged.json()["alerts"]} == {first["id"], second["id"]}
    gone = client.get(f"/api/v1/campaigns/{b.json()['id']}", headers=world.auth("R1"))
    assert gone.status_code == 404
    group_rename = client.patch(
        f"/api/v1/campaigns/{a.json()['id']}", json={"name": "x"}, headers=world.auth("G1")
    )
    assert group_rename.status_code == 403  # G1 does not cover E4 (group G2)
    split = client.post(
        f"/api/v1/campaigns/{a.json()['id']}/split",
        json={"name": "second wave", "alert_ids": [second["id"]]},
        headers=world.auth("R1"),
    )
    assert split.status_code == 201, split.text
    assert [x["id"] for x in split.json()["alerts"]] == [second["id"]]
    listed = client.get("/api/v1/campaigns", headers=world.auth("E2")).json()
    assert {x["name"] for x in listed} == {"LockBit wave", "second wave", "c"}
