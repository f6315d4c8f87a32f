"""One rendering of an object per reader class, the same through TAXII and the STIX export:
an id and a `modified` never name two different contents."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.alerts.factory import alert_body, publish
from tests.interop.test_stix_export import export
from tests.world import World
from tocsin.clock import ManualClock
from tocsin.interop.taxii.collections import tlp_collection_id
from tocsin.sharing.tlp import TLP

TAXII = "application/taxii+json;version=2.1"
READERS = ("E1", "E2", "G1", "R1", "E5")


def taxii_objects(client: TestClient, world: World, who: str) -> dict[str, dict[str, Any]]:
    """Every version of every object of the GREEN collection, by (id, modified)."""
    response = client.get(
        f"/taxii2/api/collections/{tlp_collection_id(TLP.green)}/objects/",
        params={"match[version]": "all", "limit": "10000"},
        headers=world.auth(who) | {"Accept": TAXII},
    )
    assert response.status_code == 200, response.text
    return {f"{o['id']} {o.get('modified')}": o for o in response.json().get("objects", [])}


def clashes(taxii: dict[str, dict[str, Any]], bundle: dict[str, Any]) -> list[str]:
    """Objects of the export that TAXII holds under the same id and version, but different."""
    return [
        o["id"] for o in bundle["objects"]
        if (key := f"{o['id']} {o.get('modified')}") in taxii and taxii[key] != o
    ]  # fmt: skip


@pytest.mark.parametrize("anonymous", [False, True])
def test_taxii_and_the_export_agree_for_every_reader(
    client: TestClient, world: World, anonymous: bool
) -> None:
    alert = publish(client, world, "E1", tlp="green", anonymous=anonymous)
    for who in READERS:
        taxii = taxii_objects(client, world, who)
        bundle = export(client, world, who, alert["id"]).json()
        assert clashes(taxii, bundle) == [], who


def test_a_named_source_is_named_in_taxii_and_an_anonymous_one_only_to_those_told(
    client: TestClient, world: World
) -> None:
    named = publish(client, world, "E1", tlp="green", title="Named")
    hidden = publish(client, world, "E1", tlp="green", title="Hidden", anonymous=True)
    taxii = taxii_objects(client, world, "E5")
    authors = {o["name"]: o["created_by_ref"] for o in taxii.values() if o["type"] == "report"}
    names = {o["id"]: o["name"] for o in taxii.values() if o["type"] == "identity"}
    assert names[authors["Named"]] == "Org E1"
    assert names[authors["Hidden"]] == "Anonymous healthcare organisation"
    peer = export(client, world, "E5", hidden["id"]).json()["objects"][0]
    source = export(client, world, "E1", hidden["id"]).json()["objects"][0]
    assert peer["id"] != source["id"]  # the source's own rendering is another object
    assert peer in taxii.values()
    assert export(client, world, "E5", named["id"]).json()["objects"][0] in taxii.values()


def test_withdrawn_indicators_and_a_retraction_read_the_same_through_both_doors(
    client: TestClient, world: World, clock: ManualClock
) -> None:
    alert = publish(client, world, "E1", tlp="green")
    clock.advance(timedelta(hours=1))
    kept = alert_body()["indicators"][:1]
    changed = client.patch(
        f"/api/v1/alerts/{alert['id']}", json={"indicators": kept}, headers=world.auth("E1")
    )
    assert changed.status_code == 200, changed.text
    withdrawn = export(client, world, "E5", alert["id"]).json()
    assert clashes(taxii_objects(client, world, "E5"), withdrawn) == []
    clock.advance(timedelta(hours=1))
    retracted = client.post(f"/api/v1/alerts/{alert['id']}/retract",
                            json={"reason": "false positive"}, headers=world.auth("E1"))  # fmt: skip
    assert retracted.status_code == 200, retracted.text
    bundle = export(client, world, "E5", alert["id"]).json()
    assert clashes(taxii_objects(client, world, "E5"), bundle) == []
