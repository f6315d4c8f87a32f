"""The live stream end to end on a real server: delivery, visibility, replay, heartbeats."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from tests.alerts.factory import alert_body
from tests.delivery.helpers import deliveries
from tests.delivery.nodes import Node, open_stream

from tocsin.delivery.models import Channel, DeliveryStatus
from tocsin.state import AppState


@pytest.fixture
def node(state: AppState, world: Any) -> Iterator[Node]:
    state.settings = state.settings.model_copy(
        update={"run_workers": True, "stream_heartbeat_seconds": 0.5}
    )
    started = Node(state).start()
    yield started
    started.stop()


def publish_on(node: Node, world: Any, who: str, **changes: Any) -> dict[str, Any]:
    with httpx.Client(base_url=node.url, headers=world.auth(who), timeout=30) as http:
        created = http.post("/api/v1/alerts", json=alert_body(**changes))
        assert created.status_code == 201, created.text
        published = http.post(f"/api/v1/alerts/{created.json()['id']}/publish")
        assert published.status_code == 200, published.text
        result: dict[str, Any] = published.json()
        return result


async def _all_live_delivered(state: AppState) -> None:
    async with asyncio.timeout(15):
        while any(r.status is DeliveryStatus.pending for r in deliveries(state, Channel.live)):
            await asyncio.sleep(0.05)


async def _live_row(state: AppState, org_id: Any) -> Any:
    async with asyncio.timeout(15):
        while True:
            rows = [r for r in deliveries(state, Channel.live) if r.recipient_org_id == org_id]
            if rows:
                [row] = rows
                return row
            await asyncio.sleep(0.05)


async def test_a_published_alert_reaches_recipients_streams_only(
    node: Node, world: Any, state: AppState
) -> None:
    async with (
        open_stream(node.url, world.tokens["so_E2"]) as recipient,
        open_stream(node.url, world.tokens["so_E5"]) as outsider,
    ):
        alert = await asyncio.to_thread(publish_on, node, world, "E1")
        [event] = await recipient.wait_for(1)
        async with asyncio.timeout(15):  # a heartbeat comes while nothing happens
            while not recipient.comments:
                recipient.changed.clear()
                await recipient.changed.wait()
    assert event["event"] == "alert.publish"
    assert event["data"]["data"]["id"] == alert["id"]
    assert event["data"]["type"] == "alert.publish"
    # The event goes out straight from the revision; its row is written just after, with
    # the same id.
    row = await _live_row(state, world.ids["E2"])
    assert event["id"] == str(row.seq)
    assert event["data"]["event_id"] == str(row.event_id)
    assert outsider.events == []  # E5 is in another region


async def test_a_reconnecting_client_gets_what_it_missed(
    node: Node, world: Any, state: AppState
) -> None:
    async with open_stream(node.url, world.tokens["so_E2"]) as first:
        await asyncio.to_thread(publish_on, node, world, "E1")
        [seen] = await first.wait_for(1)
    missed = await asyncio.to_thread(publish_on, node, world, "E1", title="Second wave")
    await _all_live_delivered(state)
    async with open_stream(node.url, world.tokens["so_E2"], last_event_id=seen["id"]) as again:
        [replayed] = await again.wait_for(1)
    assert replayed["data"]["data"]["id"] == missed["id"]
    assert int(replayed["id"]) > int(seen["id"])


async def test_a_bad_last_event_id_is_refused(node: Node, world: Any) -> None:
    async with httpx.AsyncClient(base_url=node.url) as http:
        answer = await http.get(
            "/api/v1/stream", headers={**world.auth("E2"), "Last-Event-ID": "abc"}
        )
        anonymous = await http.get("/api/v1/stream")
    assert answer.status_code == 422
    assert anonymous.status_code == 401
