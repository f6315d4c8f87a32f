"""A NATS outage: publish fails fast, ping says so, subscriptions resume after the restart.

Runs a private nats-server (the shared one must not be stopped under other tests).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from nats_service import free_port, port_open

from tocsin.bus.nats import NatsBus
from tocsin.errors import BusUnavailable

pytestmark = [pytest.mark.nats, pytest.mark.slow]


class PrivateNats:
    def __init__(self, store: Path) -> None:
        binary = shutil.which("nats-server")
        if binary is None:
            reason = "the nats-server binary is not installed"
            if os.environ.get("CI", "").lower() == "true":
                pytest.fail(reason)
            pytest.skip(reason)
        self.binary = binary
        self.store = store
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self) -> None:
        command = [self.binary, "-a", "127.0.0.1", "-p", str(self.port), "-js"]
        command += ["-sd", str(self.store)]
        self.process = subprocess.Popen(command, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not port_open("127.0.0.1", self.port, timeout=0.2):
            assert time.monotonic() < deadline, "nats-server did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def private_nats(tmp_path: Path) -> Iterator[PrivateNats]:
    server = PrivateNats(tmp_path / "jetstream")
    server.start()
    yield server
    server.stop()


async def wait_until(condition_met: asyncio.Event, timeout: float) -> None:
    async with asyncio.timeout(timeout):
        await condition_met.wait()


async def test_an_outage_fails_fast_and_subscriptions_resume(private_nats: PrivateNats) -> None:
    bus = NatsBus(servers=[private_nats.url], stream="OUTAGE", reconnect_wait=0.2)
    await bus.start()
    received: list[bytes] = []
    arrived = asyncio.Event()

    async def handler(subject: str, payload: bytes) -> None:
        received.append(payload)
        arrived.set()

    await bus.subscribe("OUTAGE.wake", handler)
    await asyncio.sleep(0.3)
    await bus.publish("OUTAGE.wake", b"before")
    await wait_until(arrived, 5)

    private_nats.stop()
    await asyncio.sleep(0.5)
    assert await bus.ping() is False
    started = time.monotonic()
    with pytest.raises(BusUnavailable):
        await bus.publish("OUTAGE.wake", b"during")
    assert time.monotonic() - started < 3
    with pytest.raises(BusUnavailable):
        await bus.subscribe("OUTAGE.other", handler)

    private_nats.start()
    arrived.clear()
    # The client reconnects, then the ordered consumer re-creates itself after missed heartbeats.
    async with asyncio.timeout(20):
        while b"after" not in received:
            with contextlib.suppress(BusUnavailable):
                await bus.publish("OUTAGE.wake", b"after")
            await asyncio.sleep(0.5)
    assert await bus.ping() is True
    assert b"during" not in received
    await bus.close()


async def test_closing_during_an_outage_does_not_hang(private_nats: PrivateNats) -> None:
    bus = NatsBus(servers=[private_nats.url], stream="OUTAGE", reconnect_wait=0.2)
    await bus.start()
    await bus.subscribe("OUTAGE.wake", lambda subject, payload: asyncio.sleep(0))
    private_nats.stop()
    await asyncio.sleep(0.5)
    async with asyncio.timeout(5):
        await bus.close()
    assert await bus.ping() is False


async def test_start_reports_an_unreachable_server() -> None:
    bus = NatsBus(servers=[f"nats://127.0.0.1:{free_port()}"], stream="NOPE", operation_timeout=0.5)
    started = time.monotonic()
    with pytest.raises(BusUnavailable):
        await bus.start()
    assert time.monotonic() - started < 3
