"""The webhook side of the fan-out benchmark: a loopback receiver that verifies every
Standard Webhooks signature, the endpoints to register, and the floor (bare signed POSTs)."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import json
import time
import uuid
from typing import Any

from fanout_clients import free_port
from tocsin.audit.service import SYSTEM
from tocsin.clock import SystemClock
from tocsin.db import make_engine, make_sessionmaker, transaction
from tocsin.delivery import signing
from tocsin.delivery.service import create_webhook


def add_webhooks(database_url: str, ids: list[uuid.UUID], port: int) -> dict[str, str]:
    """One endpoint per establishment; path -> secret."""
    engine = make_engine(database_url)
    secrets: dict[str, str] = {}
    now = SystemClock().now()
    with transaction(make_sessionmaker(engine)) as session:
        for index, org_id in enumerate(ids):
            path = f"/hook/{index}"
            _, secret = create_webhook(
                session=session, org_id=org_id, url=f"http://127.0.0.1:{port}{path}",
                description=None, by=SYSTEM, now=now, allow_private=True,
            )  # fmt: skip
            secrets[path] = secret
    engine.dispose()
    return secrets


class HookReceiver:
    """One loopback HTTP server for many endpoint paths; verifies every signature."""

    def __init__(self, secrets: dict[str, str]) -> None:
        self.keys = {p: base64.b64decode(s.removeprefix("whsec_")) for p, s in secrets.items()}
        self.verified: dict[str, float] = {}
        self.bad = 0
        self.port = free_port()

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", self.port, backlog=4096)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode().split("\r\n")
                path = lines[0].split(" ")[1]
                headers = {
                    k.lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:] if x)
                }
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                self._check(path, headers, body)
                writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
                await writer.drain()
        writer.close()

    def _check(self, path: str, headers: dict[str, str], body: bytes) -> None:
        key = self.keys.get(path)
        signed = f"{headers.get('webhook-id')}.{headers.get('webhook-timestamp')}.".encode() + body
        if key is None:
            self.bad += 1
            return
        expected = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
        if expected in headers.get("webhook-signature", "").split(" "):
            self.verified.setdefault(path, time.monotonic())
        else:
            self.bad += 1

    def close(self) -> None:
        self.server.close()


async def bare_posts(
    receiver: HookReceiver, alert: dict[str, Any], connections: int = 64
) -> dict[str, Any]:
    """N signed POSTs over raw keep-alive sockets, no storage, no HTTP library: the floor.

    (An httpx client with thousands of concurrent requests on one pool spends its time in
    the pool's bookkeeping and times out, which would make the floor meaningless.)"""
    receiver.verified.clear()
    body = json.dumps({"data": alert}).encode()
    secrets = {p: "whsec_" + base64.b64encode(k).decode() for p, k in receiver.keys.items()}
    paths: asyncio.Queue[str] = asyncio.Queue()
    for path in secrets:
        paths.put_nowait(path)
    answer = b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"

    async def worker() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", receiver.port)
        while not paths.empty():
            path = paths.get_nowait()
            headers = signing.sign(secrets[path], str(uuid.uuid4()), int(time.time()), body)
            head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
            writer.write(
                f"POST {path} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n"
                f"content-length: {len(body)}\r\n{head}\r\n".encode()
                + body
            )
            await writer.drain()
            await reader.readexactly(len(answer))
        writer.close()

    started = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(connections)))
    return {"all_verified_s": round(time.monotonic() - started, 3), "connections": connections}
