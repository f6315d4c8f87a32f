"""The socket side of the fan-out benchmark: SSE clients in their own processes, the floor.

The clients of thousands of streams must not be what the benchmark measures: K worker
processes each hold N/K streams on raw sockets (one asyncio Protocol per stream, no task or
reader buffer per stream) and report arrival times over a pipe. Every time is
`time.monotonic()`, CLOCK_MONOTONIC on Linux: one clock for the whole machine, so the parent
subtracts its own publish time from the workers' arrival times.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import resource
import socket
import time
from multiprocessing.connection import Connection
from typing import Any


def raise_fd_limit() -> int:
    """Raise this process's soft open-file limit to the hard one; returns the new limit."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Round:
    """One published event awaited by every stream of a worker."""

    def __init__(self, marker: bytes, expected: int) -> None:
        self.marker = marker
        self.remaining = expected
        self.done = asyncio.Event()
        if expected == 0:
            self.done.set()

    def arrived(self) -> None:
        self.remaining -= 1
        if self.remaining <= 0:
            self.done.set()


class StreamClient(asyncio.Protocol):
    """One SSE stream: sends the request, checks the status, then watches for the marker."""

    def __init__(self, request: bytes, opened: asyncio.Future[None]) -> None:
        self.request = request
        self.opened = opened
        self.head = b""
        self.streaming = False
        self.round: Round | None = None
        self.tail = b""
        self.arrived: float | None = None
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        if not self.streaming:
            self.head += data
            if b"\r\n\r\n" not in self.head:
                return
            head, _, data = self.head.partition(b"\r\n\r\n")
            if b" 200 " not in head.split(b"\r\n", 1)[0]:
                if not self.opened.done():
                    self.opened.set_exception(RuntimeError(f"stream refused: {head[:80]!r}"))
                return
            self.streaming, self.head = True, b""
            if not self.opened.done():
                self.opened.set_result(None)
        current = self.round
        if current is None or self.arrived is not None:
            return
        # The marker may straddle two reads: keep the end of the previous one.
        window = self.tail + data
        if current.marker in window:
            self.arrived = time.monotonic()
            current.arrived()
        self.tail = window[-len(current.marker) :]

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.opened.done():
            self.opened.set_exception(ConnectionError(f"closed before the stream opened: {exc}"))

    def arm(self, current: Round) -> None:
        self.round, self.tail, self.arrived = current, b"", None


async def _open(
    targets: list[tuple[int, str]], path: str, concurrency: int
) -> tuple[list[StreamClient], list[str]]:
    loop = asyncio.get_running_loop()
    gate = asyncio.Semaphore(concurrency)

    async def one(port: int, token: str) -> StreamClient:
        async with gate:
            request = (
                f"GET {path} HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {token}\r\n"
                "Accept: text/event-stream\r\n\r\n"
            ).encode()
            client = StreamClient(request, loop.create_future())
            await loop.create_connection(lambda: client, "127.0.0.1", port)
            await asyncio.wait_for(client.opened, 120)
            return client

    results = await asyncio.gather(*(one(p, t) for p, t in targets), return_exceptions=True)
    clients = [r for r in results if isinstance(r, StreamClient)]
    errors = [repr(r) for r in results if not isinstance(r, StreamClient)]
    return clients, errors


async def _serve_parent(pipe: Connection, clients: list[StreamClient]) -> None:
    current = Round(b"", 0)
    while True:
        command, argument = await asyncio.to_thread(pipe.recv)
        if command == "arm":
            current = Round(argument, len(clients))
            for client in clients:
                client.arm(current)
            pipe.send(None)
        elif command == "collect":
            # The parent sends an absolute deadline on the shared monotonic clock.
            with_time = max(0.0, argument - time.monotonic())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(current.done.wait(), with_time)
            pipe.send([client.arrived for client in clients])
        else:
            for client in clients:
                if client.transport is not None:
                    client.transport.close()
            pipe.send(None)
            return


async def _work(pipe: Connection, targets: list[tuple[int, str]], path: str, gate: int) -> None:
    clients, errors = await _open(targets, path, gate)
    pipe.send((len(clients), errors[:3]))
    await _serve_parent(pipe, clients)


def worker_main(pipe: Connection, targets: list[tuple[int, str]], path: str, gate: int) -> None:
    raise_fd_limit()
    asyncio.run(_work(pipe, targets, path, gate))


class ClientPool:
    """K client processes holding N streams between them, driven from the parent's loop."""

    def __init__(self, processes: int) -> None:
        self.processes = processes
        self._workers: list[tuple[multiprocessing.process.BaseProcess, Connection]] = []

    async def _ask(self, command: str, argument: Any) -> list[Any]:
        for _, pipe in self._workers:
            pipe.send((command, argument))
        return list(await asyncio.gather(*(asyncio.to_thread(p.recv) for _, p in self._workers)))

    async def open(
        self, ports: list[int], tokens: list[str], path: str = "/api/v1/stream", gate: int = 12,
        tolerance: float = 0.0,
    ) -> int:  # fmt: skip
        """Open one stream per token, spread over the ports; `gate` streams open at a time
        in all (the server's database pool has 15 connections). Returns how many opened;
        raises if more than the `tolerance` share of them were refused."""
        # Forked, not spawned: a spawned worker would import the benchmark and the whole
        # server package again, seconds of CPU each on a loaded machine. The worker only
        # starts a fresh event loop (asyncio ignores a loop inherited across fork).
        context = multiprocessing.get_context("fork")
        targets = [(ports[i % len(ports)], token) for i, token in enumerate(tokens)]
        count = max(1, min(self.processes, len(targets)))
        for index in range(count):
            parent, child = context.Pipe()
            share = targets[index::count]
            process = context.Process(
                target=worker_main, args=(child, share, path, max(1, gate // count)), daemon=True
            )
            process.start()
            child.close()
            self._workers.append((process, parent))
        replies = await asyncio.gather(*(asyncio.to_thread(p.recv) for _, p in self._workers))
        opened = sum(n for n, _ in replies)
        if opened < len(tokens) * (1 - tolerance):
            errors = [e for _, errs in replies for e in errs]
            raise RuntimeError(f"{opened} of {len(tokens)} streams opened: {errors}")
        return opened

    async def arm(self, marker: bytes) -> None:
        """Watch for `marker` from now on (call before publishing)."""
        await self._ask("arm", marker)

    async def collect(self, timeout: float) -> list[float | None]:
        """Arrival times of the armed marker, None where it did not come within `timeout`."""
        replies = await self._ask("collect", time.monotonic() + timeout)
        return [at for reply in replies for at in reply]

    async def close(self) -> None:
        if self._workers:
            await self._ask("close", None)
        for process, pipe in self._workers:
            process.join(10)
            pipe.close()
        self._workers.clear()


class BareServer(asyncio.Protocol):
    """The floor's server side: answers any request with an event-stream head and keeps the
    socket; no storage, no authentication, no framework."""

    def __init__(self, transports: list[asyncio.Transport]) -> None:
        self.transports = transports
        self.head = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.head += data
        if b"\r\n\r\n" in self.head and self.head != b"done":
            self.head = b"done"
            self.transport.write(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\r\n")
            self.transports.append(self.transport)


async def bare_broadcast(
    pool: ClientPool, count: int, port: int, payload: bytes, marker: bytes
) -> list[float]:
    """One asyncio server in this process writes `payload` to `count` streams held by `pool`;
    returns the latencies."""
    transports: list[asyncio.Transport] = []
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: BareServer(transports), "127.0.0.1", port, backlog=4096
    )
    try:
        await pool.open([port], ["x"] * count, path="/", gate=64)
        await pool.arm(marker)
        started = time.monotonic()
        for transport in transports:
            transport.write(payload)
        arrivals = await pool.collect(30)
    finally:
        await pool.close()
        for transport in transports:
            transport.close()
        server.close()
    return [at - started for at in arrivals if at is not None]
