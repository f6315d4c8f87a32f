"""Real tocsin nodes for end-to-end delivery tests: uvicorn servers in threads, SSE readers."""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import uvicorn
from tests.delivery.receivers import free_port

from tocsin.app import create_app
from tocsin.state import AppState


class Node:
    """One tocsin node serving `state` on loopback until `stop()`."""

    def __init__(self, state: AppState) -> None:
        self.state = state
        self.port = free_port()
        config = uvicorn.Config(
            create_app(state=state), host="127.0.0.1", port=self.port, log_level="warning"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Node:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the node did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(30)


@dataclass
class StreamReader:
    """Reads one SSE stream into `events` (dicts: id, event, data) and `comments`."""

    events: list[dict[str, Any]] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    async def read(self, response: httpx.Response) -> None:
        current: dict[str, Any] = {}
        async for line in response.aiter_lines():
            if line.startswith(":"):
                self.comments.append(line)
                self.changed.set()
            elif line == "":
                if "data" in current:
                    current["data"] = json.loads(current["data"])
                    self.events.append(current)
                    self.changed.set()
                current = {}
            else:
                key, _, value = line.partition(":")
                current[key] = value.removeprefix(" ")

    async def wait_for(self, count: int, timeout: float = 15.0) -> list[dict[str, Any]]:
        async with asyncio.timeout(timeout):
            while len(self.events) < count:
                self.changed.clear()
                await self.changed.wait()
        return self.events


@contextlib.asynccontextmanager
async def open_stream(
    base_url: str, token: str, last_event_id: str | None = None
) -> AsyncIterator[StreamReader]:
    headers = {"Authorization": f"Bearer {token}"}
    if last_event_id is not None:
        headers["Last-Event-ID"] = last_event_id
    reader = StreamReader()
    async with (
        httpx.AsyncClient(base_url=base_url, timeout=httpx.Timeout(30, read=None)) as client,
        client.stream("GET", "/api/v1/stream", headers=headers) as response,
    ):
        assert response.status_code == 200, await response.aread()
        task = asyncio.create_task(reader.read(response))
        try:
            yield reader
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, httpx.HTTPError):
                await task
