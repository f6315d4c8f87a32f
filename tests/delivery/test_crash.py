"""kill -9 of a `tocsin serve` process during a webhook fan-out, then a restart.

Every pending delivery goes out at least once after the restart, and a delivery sent twice
carries the same event id and the same bytes.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.alerts.factory import publish
from tests.delivery.helpers import deliveries, register_webhook
from tests.delivery.receivers import Received, Receiver, free_port

from tocsin.delivery.models import Channel, DeliveryStatus
from tocsin.state import AppState

pytestmark = [pytest.mark.slow]

FAN_OUT = ["E2", "E3", "E4", "G1", "G2", "R1"]


class SlowReceiver(Receiver):
    """Answers 200 after a delay, so the server is killed with requests in flight."""

    async def app(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        body = b""
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # the sender died mid-request: nothing was delivered
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode(): v.decode() for k, v in scope["headers"]}
        self.received.append(Received(headers, body))
        self.arrived.set()
        await asyncio.sleep(1.5)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


def _serve(database_url: str, data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = os.environ | {
        "TOCSIN_DATABASE_URL": database_url,
        "TOCSIN_DATA_DIR": str(data_dir),
        "TOCSIN_ENVIRONMENT": "test",
        "TOCSIN_WEBHOOK_ALLOW_PRIVATE": "true",
        "TOCSIN_WEBHOOK_TIMEOUT_SECONDS": "3",
        "TOCSIN_DELIVERY_POLL_SECONDS": "0.5",
    }
    command = [str(Path(sys.executable).parent / "tocsin"), "serve", "--port", str(port)]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


async def _wait_healthy(port: int, process: subprocess.Popen[bytes]) -> None:
    async with asyncio.timeout(180), httpx.AsyncClient() as http:
        while True:
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            try:
                if (await http.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.1)


async def test_kill_9_during_a_fan_out_loses_nothing_and_changes_nothing(
    client: Any, world: Any, state: AppState, database_url: str, tmp_path: Path
) -> None:
    async with SlowReceiver() as receiver:
        for org in FAN_OUT:
            register_webhook(client, world, org, receiver.url)
        publish(client, world, "E1")  # the outbox holds the work; no dispatcher runs here
        port = free_port()
        first = _serve(database_url, tmp_path, port)
        try:
            await _wait_healthy(port, first)
            await asyncio.wait_for(receiver.arrived.wait(), 120)
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait()
        pending = [
            r for r in deliveries(state, Channel.webhook) if r.status is DeliveryStatus.pending
        ]
        assert pending, "the kill came after the fan-out: nothing was in flight"
        second = _serve(database_url, tmp_path, port)
        try:
            async with asyncio.timeout(180):
                while any(
                    r.status is not DeliveryStatus.delivered
                    for r in deliveries(state, Channel.webhook)
                ):
                    await asyncio.sleep(0.2)
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(30)
    # The nodes run on the real clock, long after the test clock's publication: escalation
    # notices for the silent recipients go out too. The drill is about the alert's own.
    rows = [r for r in deliveries(state, Channel.webhook) if r.alert_id is not None]
    assert len(rows) == len(FAN_OUT)
    bodies: dict[str, set[bytes]] = defaultdict(set)
    alert_messages = [m for m in receiver.received if b'"notice.' not in m.body]
    for message in alert_messages:
        bodies[message.headers["webhook-id"]].add(message.body)
    assert set(bodies) == {str(r.event_id) for r in rows}  # every one went out
    assert all(len(variants) == 1 for variants in bodies.values())  # never different content
    assert len(alert_messages) > len(rows)  # some really were sent twice
    assert all(json.loads(next(iter(b)))["type"] == "alert.publish" for b in bodies.values())
