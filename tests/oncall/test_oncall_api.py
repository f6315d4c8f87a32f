"""The on-call list: kept by the organisation, read by its relays, numbers in E.164."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.world import World
from tocsin.audit.models import AuditRecord
from tocsin.db import transaction
from tocsin.state import AppState

CONTACTS = [
    {"name": "Camille Martin", "role": "RSSI d'astreinte", "phone": "+33 6 12 34 56 78",
     "hours": "24/7"},
    {"name": "Standard", "phone": "+33235000000"},
]  # fmt: skip


def _url(world: World, org: str) -> str:
    return f"/api/v1/organisations/{world.ids[org]}/on-call"


def test_an_establishment_keeps_its_list_and_its_relays_read_it(
    client: TestClient, world: World, state: AppState
) -> None:
    put = client.put(_url(world, "E1"), json={"contacts": CONTACTS}, headers=world.auth("E1"))
    assert put.status_code == 200, put.text
    assert put.json()["contacts"][0]["phone"] == "+33612345678"  # kept in E.164
    for reader in ("E1", "G1", "R1", "N"):
        got = client.get(_url(world, "E1"), headers=world.auth(reader))
        assert got.status_code == 200 and [c["name"] for c in got.json()["contacts"]] == [
            "Camille Martin", "Standard"], reader  # fmt: skip
    for outsider in ("E2", "G2", "R2", "P"):
        assert client.get(_url(world, "E1"), headers=world.auth(outsider)).status_code == 404
    with transaction(state.sessions) as session:
        assert session.scalar(select(AuditRecord.details).where(
            AuditRecord.action == "oncall.replace")) == {"contacts": 2}  # fmt: skip


def test_a_relay_reads_but_does_not_write_and_a_viewer_cannot_write(
    client: TestClient, world: World
) -> None:
    body = {"contacts": CONTACTS}
    assert client.put(_url(world, "E1"), json=body, headers=world.auth("G1")).status_code == 403
    assert client.put(_url(world, "E1"), json=body,
                      headers=world.auth("viewer_E1")).status_code == 403  # fmt: skip


def test_a_number_that_is_not_e164_is_refused_naming_the_field_and_nothing_is_kept(
    client: TestClient, world: World
) -> None:
    client.put(_url(world, "E1"), json={"contacts": CONTACTS}, headers=world.auth("E1"))
    bad = [{"name": "Astreinte", "phone": "06 12 34 56 78"}]
    answer = client.put(_url(world, "E1"), json={"contacts": bad}, headers=world.auth("E1"))
    assert answer.status_code == 422
    problem = answer.json()
    assert problem["errors"][0]["field"] == "contacts.0.phone" and "E.164" in problem["detail"]
    kept = client.get(_url(world, "E1"), headers=world.auth("E1")).json()["contacts"]
    assert len(kept) == 2
