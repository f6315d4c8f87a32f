"""Two nodes behind one NATS JetStream and one database; and a node whose NATS is down.

The stream named per run is deleted at the end. Skipped locally without NATS, failed under CI.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from tests.bus.nats_service import delete_stream, unique_stream_name
from tests.delivery.helpers import deliveries
from tests.delivery.nodes import Node, open_stream
from tests.delivery.receivers import free_port
from tests.delivery.test_stream import publish_on
from tests.services import NATS_HOST, NATS_PORT, NATS_URL, in_ci, reachable, require

from tocsin.db import make_engine, make_sessionmaker, transaction
from tocsin.delivery.models import Channel, DeliveryStatus, RevisionFanout
from tocsin.state import AppState

pytestmark = [pytest.mark.nats]


def _expanded(state: AppState) -> bool:
    with transaction(state.sessions) as session:
        return all(row.expanded_at is not None for row in session.scalars(select(RevisionFanout)))


def _second_state(state: AppState, database_url: str) -> AppState:
    engine = make_engine(database_url)
    return AppState(
        settings=state.settings, engine=engine, sessions=make_sessionmaker(engine),
        clock=state.clock,
    )  # fmt: skip


@pytest.fixture
def two_nodes(state: AppState, world: Any, database_url: str) -> Iterator[tuple[Node, Node]]:
    require("NATS", NATS_HOST, NATS_PORT)
    stream = unique_stream_name()
    shared = {"bus_url": NATS_URL, "bus_stream": stream}
    state.settings = state.settings.model_copy(update={**shared, "run_workers": True})
    other = _second_state(state, database_url)
    # Node 2 dispatches nothing: what reaches its subscriber came through NATS from node 1.
    other.settings = state.settings.model_copy(update={"run_workers": False})
    first, second = Node(state).start(), Node(other).start()
    yield first, second
    first.stop()
    second.stop()
    other.engine.dispose()
    asyncio.run(delete_stream(NATS_URL, stream))


async def test_an_alert_published_on_node_one_reaches_a_subscriber_of_node_two(
    two_nodes: tuple[Node, Node], world: Any
) -> None:
    first, second = two_nodes
    async with open_stream(second.url, world.tokens["so_E2"]) as subscriber:
        alert = await asyncio.to_thread(publish_on, first, world, "E1")
        [event] = await subscriber.wait_for(1)
    assert event["data"]["data"]["id"] == alert["id"]


class PrivateNats:
    """A nats-server of this test alone, started late to play "NATS comes back"."""

    def __init__(self, store: Path) -> None:
        binary = shutil.which("nats-server")
        if binary is None:
            if in_ci():
                pytest.fail("the nats-server binary is required under CI=true")
            pytest.skip("the nats-server binary is not installed")
        self.command = [binary, "-a", "127.0.0.1", "-p", str(free_port()), "-js", "-sd", str(store)]
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.command[4]}"

    def start(self) -> None:
        self.process = subprocess.Popen(self.command, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not reachable("127.0.0.1", int(self.command[4]), timeout=0.2):
            assert time.monotonic() < deadline, "nats-server did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()


async def test_with_nats_down_the_api_accepts_and_delivery_resumes_when_it_returns(
    state: AppState, world: Any, tmp_path: Path
) -> None:
    nats = PrivateNats(tmp_path / "nats")
    state.settings = state.settings.model_copy(
        update={"bus_url": nats.url, "bus_stream": unique_stream_name(), "run_workers": True,
                "delivery_poll_seconds": 0.2}
    )  # fmt: skip
    node = Node(state).start()
    try:
        alert = await asyncio.to_thread(publish_on, node, world, "E1")  # accepted while down
        async with asyncio.timeout(30):  # the fan-out is expanded just after the commit
            while not _expanded(state):
                await asyncio.sleep(0.1)
        live = deliveries(state, Channel.live)
        assert live and all(r.status is DeliveryStatus.pending for r in live)
        nats.start()
        async with asyncio.timeout(30):
            while any(r.status is DeliveryStatus.pending for r in deliveries(state, Channel.live)):
                await asyncio.sleep(0.1)
        async with open_stream(node.url, world.tokens["so_E2"], last_event_id="0") as reader:
            [event] = await reader.wait_for(1)
        assert event["data"]["data"]["id"] == alert["id"]
    finally:
        node.stop()
        nats.stop()
