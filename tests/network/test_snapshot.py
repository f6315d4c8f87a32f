"""The hierarchy is read once per node and read again as soon as it grows, whoever adds to it:
a request must never decide who may read an alert on a network that misses an organisation."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from tests.alerts.factory import publish
from tocsin.audit.service import SYSTEM
from tocsin.db import make_sessionmaker
from tocsin.network import service as network
from tocsin.network.models import OrgKind


def _full_reads(engine: Any) -> tuple[list[str], Any]:
    seen: list[str] = []

    def saw(_c: Any, _cur: Any, sql: str, *_args: Any) -> None:
        if "FROM organisations" in sql and "organisations.group_id" in sql and "WHERE" not in sql:
            seen.append(sql)

    event.listen(engine, "before_cursor_execute", saw)
    return seen, saw


def test_requests_of_one_node_read_the_whole_hierarchy_once(client, world, state):
    alert = publish(client, world, "E1", tlp="green")
    seen, saw = _full_reads(state.engine)
    try:
        for who in ("E2", "E3", "G1", "E2"):
            read = client.get(f"/api/v1/alerts/{alert['id']}", headers=world.auth(who))
            assert read.status_code == 200, read.text
    finally:
        event.remove(state.engine, "before_cursor_execute", saw)
    assert len(seen) <= 1, seen


def test_an_establishment_added_by_another_node_is_in_the_next_requests_network(
    client, world, state, clock
):
    client.get("/api/v1/alerts", headers=world.auth("E1"))  # this node now holds the network
    other_node = make_sessionmaker(state.engine)
    with other_node() as session:
        added = network.create_organisation(
            session=session, name="Clinique nouvelle", kind=OrgKind.establishment,
            now=clock.now(), actor=SYSTEM, finess="750000999", group_id=world.ids["G1"],
            region_id=world.ids["R1"],
        )  # fmt: skip
        session.commit()
    with state.sessions() as session:
        seen = network.load_network(session=session)
    assert added.id in seen.orgs
    assert world.ids["G1"] in seen.relays_of(added.id)
