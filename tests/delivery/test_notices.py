"""Notices through the delivery channels: a declaration reaches its relays, a correlation
reaches the authors and relays of both alerts, live, by webhook and by e-mail."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from tests.alerts.factory import publish
from tests.delivery.helpers import deliveries, register_webhook, want_email
from tests.delivery.nodes import Node, open_stream
from tests.intel.test_related import FIRST, SECOND
from tests.relay.factory import URL, declaration_body
from tests.world import World

from tocsin.db import transaction
from tocsin.delivery.letters import Reader, notice_letter
from tocsin.delivery.models import Channel, Delivery
from tocsin.delivery.outbox import payload_bodies
from tocsin.state import AppState

pytestmark = pytest.mark.usefixtures("quiet")  # only the people a test opts in


def _declare(client: TestClient, world: World, who: str = "E1", **changes: Any) -> dict[str, Any]:
    answer = client.post(URL, json=declaration_body(**changes), headers=world.auth(who))
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    return body


def _names(world: World, rows: list[Delivery]) -> set[str]:
    by_id = {v: k for k, v in world.ids.items()}
    return {by_id[r.recipient_org_id] for r in rows}


def _bodies(state: AppState, rows: list[Delivery]) -> dict[int, dict[str, Any]]:
    with transaction(state.sessions) as session:
        found = payload_bodies(session, {r.payload_id for r in rows})
    return {r.seq: found[r.payload_id] for r in rows}


def test_a_declaration_is_queued_for_its_relays_only_on_every_channel(
    client: TestClient, world: World, state: AppState
) -> None:
    register_webhook(client, world, "R1", "https://hooks.example.org/ars")
    want_email(client, world, "so_R1", ["critical"])
    declaration = _declare(client, world, "E1", category=4)
    live = [r for r in deliveries(state, Channel.live) if r.action == "declaration"]
    assert _names(world, live) == {"G1", "R1", "N"}  # not the peers E2, E3
    assert {r.alert_id for r in live} == {None}
    hook = [r for r in deliveries(state, Channel.webhook) if r.action == "declaration"]
    assert _names(world, hook) == {"R1"}
    [mail] = [r for r in deliveries(state, Channel.email) if r.action == "declaration"]
    assert mail.user_id == world.users["so_R1"]
    body = _bodies(state, [mail])[mail.seq]
    assert body["declaration_id"] == declaration["id"] and body["event"] == "declared"
    reader = Reader(language="fr", zone="Europe/Paris", public_url="https://hub.example.org")
    letter = notice_letter(body, reader)
    assert letter.subject == f"[tocsin] Nouvel incident déclaré : {declaration['title']}"
    english = notice_letter(body, Reader(language="en", zone="Europe/Paris",
                                         public_url="https://hub.example.org"))  # fmt: skip
    assert english.subject == f"[tocsin] New incident declared: {declaration['title']}"
    assert letter.link == f"https://hub.example.org/declarations/{declaration['id']}"


def test_a_correlation_tells_authors_and_relays_of_both_alerts_by_notice(
    client: TestClient, world: World, state: AppState
) -> None:
    first = publish(client, world, "E1", indicators=FIRST)
    second = publish(client, world, "E4", indicators=SECOND)
    rows = [r for r in deliveries(state, Channel.live) if r.action == "correlation"]
    assert _names(world, rows) == {"E1", "E4", "G1", "G2", "R1", "N"}
    bodies = _bodies(state, rows)
    told_e1 = next(bodies[r.seq] for r in rows if r.recipient_org_id == world.ids["E1"])
    assert told_e1["alert_id"] == second["id"]
    assert [item["alert_id"] for item in told_e1["related"]] == [first["id"]]


@pytest.fixture
def node(state: AppState, world: World) -> Iterator[Node]:
    state.settings = state.settings.model_copy(update={"run_workers": True})
    started = Node(state).start()
    yield started
    started.stop()


async def test_a_relay_sees_a_declaration_live_and_after_reconnecting(
    node: Node, world: World
) -> None:
    def declare() -> dict[str, Any]:
        with httpx.Client(base_url=node.url, headers=world.auth("E1"), timeout=30) as http:
            answer = http.post(URL, json=declaration_body())
            assert answer.status_code == 201, answer.text
            result: dict[str, Any] = answer.json()
            return result

    async with open_stream(node.url, world.tokens["so_R1"]) as relay:
        declaration = await asyncio.to_thread(declare)
        [event] = await relay.wait_for(1)
    assert event["event"] == "notice.declaration"
    assert event["data"]["data"]["declaration_id"] == declaration["id"]
    async with open_stream(node.url, world.tokens["so_R1"], last_event_id="0") as again:
        [replayed] = await again.wait_for(1)
    assert replayed["data"]["event_id"] == event["data"]["event_id"]
