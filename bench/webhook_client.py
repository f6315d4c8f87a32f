"""Webhook HTTP clients side by side: N signed POSTs to N endpoint paths on one receiver.

Each client sends N POSTs, all started at once, each to its own path (as N endpoints on one
host), at most 4 in flight per endpoint and 512 sockets per node, as the dispatcher does.
The receiver runs in its own process (a bare asyncio server answering 200), so the client's
CPU seconds are its own. Candidates: httpx with one small pool per endpoint (the design
before aiohttp), httpx with one shared tuned transport, aiohttp with one connector, tocsin's
`WebhookClient` as it stands, and the floor: raw keep-alive sockets, no HTTP library.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import socket
import ssl
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import httpx

from tocsin.delivery import signing
from tocsin.delivery.webhook_client import WebhookClient, WebhookLimits

ANSWER = b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"
BODY = json.dumps({"type": "alert.published", "data": {"title": "x" * 600}}).encode()
SECRET = signing.new_secret()
TLS = ssl.create_default_context()  # loaded once: each load costs ~20 ms, unfair to httpx
Send = Callable[[str, bytes, dict[str, str]], Awaitable[bool]]


def serve(port: int, ready: Any) -> None:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line[:15].lower() == b"content-length:":
                        length = int(line[15:])
                await reader.readexactly(length)
                writer.write(ANSWER)
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    async def main() -> None:
        await asyncio.start_server(handle, "127.0.0.1", port, backlog=4096)
        ready.set()
        await asyncio.Event().wait()

    asyncio.run(main())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bounded(send: Send) -> Send:
    """The dispatcher's bounds around any client: 4 per endpoint, 512 per node."""
    per_url: dict[str, asyncio.Semaphore] = {}
    node = asyncio.Semaphore(512)

    async def run(url: str, body: bytes, headers: dict[str, str]) -> bool:
        async with per_url.setdefault(url, asyncio.Semaphore(4)), node:
            return await send(url, body, headers)

    return run


async def httpx_per_endpoint(urls: list[str]) -> tuple[Send, Callable[[], Awaitable[None]]]:
    clients: dict[str, httpx.AsyncClient] = {}

    async def send(url: str, body: bytes, headers: dict[str, str]) -> bool:
        client = clients.get(url)
        if client is None:
            limits = httpx.Limits(max_connections=4, max_keepalive_connections=4)
            client = clients[url] = httpx.AsyncClient(limits=limits, trust_env=False, verify=TLS)
        response = await client.post(url, content=body, headers=headers)
        return response.status_code == 200

    async def close() -> None:
        for client in clients.values():
            await client.aclose()

    return bounded(send), close


async def httpx_shared(urls: list[str]) -> tuple[Send, Callable[[], Awaitable[None]]]:
    # The node bound, not httpx's pool, queues the requests: its waiting list stays short.
    transport = httpx.AsyncHTTPTransport(
        limits=httpx.Limits(max_connections=512, max_keepalive_connections=512), verify=TLS
    )
    client = httpx.AsyncClient(transport=transport, trust_env=False)

    async def send(url: str, body: bytes, headers: dict[str, str]) -> bool:
        response = await client.post(url, content=body, headers=headers)
        return response.status_code == 200

    return bounded(send), client.aclose


async def aiohttp_shared(urls: list[str]) -> tuple[Send, Callable[[], Awaitable[None]]]:
    session = aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=512, limit_per_host=0), auto_decompress=False
    )

    async def send(url: str, body: bytes, headers: dict[str, str]) -> bool:
        async with session.post(url, data=body, headers=headers, allow_redirects=False) as answer:
            await answer.read()
            return answer.status == 200

    return bounded(send), session.close


async def tocsin_client(urls: list[str]) -> tuple[Send, Callable[[], Awaitable[None]]]:
    client = WebhookClient(WebhookLimits(), allow_private=True)

    async def send(url: str, body: bytes, headers: dict[str, str]) -> bool:
        return (await client.send(url, body, headers)).ok

    return send, client.aclose


CLIENTS = {
    "httpx_per_endpoint": httpx_per_endpoint,
    "httpx_shared": httpx_shared,
    "aiohttp": aiohttp_shared,
    "tocsin": tocsin_client,
}


def signed(count: int) -> list[dict[str, str]]:
    now = int(time.time())
    return [signing.sign(SECRET, f"msg_{i}", now, BODY) for i in range(count)]


async def one_run(name: str, port: int, count: int) -> dict[str, float]:
    urls = [f"http://127.0.0.1:{port}/hook/{i}" for i in range(count)]
    headers = signed(count)
    send, close = await CLIENTS[name](urls)
    cpu, started = time.process_time(), time.monotonic()
    results = await asyncio.gather(*(send(u, BODY, h) for u, h in zip(urls, headers, strict=True)))
    wall, cpu = time.monotonic() - started, time.process_time() - cpu
    await close()
    if not all(results):
        raise RuntimeError(f"{name}: {results.count(False)} failed")
    return {"wall_s": wall, "cpu_s": cpu}


async def raw_run(port: int, count: int, connections: int = 64) -> dict[str, float]:
    headers = signed(count)
    queue: asyncio.Queue[int] = asyncio.Queue()
    for index in range(count):
        queue.put_nowait(index)

    async def worker() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while not queue.empty():
            index = queue.get_nowait()
            head = "".join(f"{k}: {v}\r\n" for k, v in headers[index].items())
            writer.write(
                f"POST /hook/{index} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: "
                f"{len(BODY)}\r\n{head}\r\n".encode()
                + BODY
            )
            await reader.readexactly(len(ANSWER))
        writer.close()

    cpu, started = time.process_time(), time.monotonic()
    await asyncio.gather(*(worker() for _ in range(connections)))
    return {"wall_s": time.monotonic() - started, "cpu_s": time.process_time() - cpu}


def median_of(runs: list[dict[str, float]]) -> dict[str, float]:
    return {k: round(statistics.median(r[k] for r in runs), 3) for k in runs[0]}


async def measure(port: int, count: int, rounds: int, names: list[str]) -> dict[str, Any]:
    figures: dict[str, Any] = {"raw_sockets": median_of([await raw_run(port, count)])}
    for name in names:
        runs = []
        for _ in range(rounds):
            runs.append(await one_run(name, port, count))
        figures[name] = median_of(runs)
        print(f"{name}: {figures[name]}", file=sys.stderr, flush=True)
    floor = figures["raw_sockets"]["wall_s"]
    for name in names:
        figures[name]["ratio_to_raw"] = round(figures[name]["wall_s"] / floor, 1)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="300 endpoints, 1 round")
    parser.add_argument("--endpoints", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", nargs="*", default=list(CLIENTS), choices=list(CLIENTS))
    args = parser.parse_args()
    if args.quick:
        args.endpoints, args.rounds = min(args.endpoints, 300), 1
    port, ready = free_port(), multiprocessing.Event()
    receiver = multiprocessing.Process(target=serve, args=(port, ready), daemon=True)
    receiver.start()
    ready.wait(10)
    try:
        figures = asyncio.run(measure(port, args.endpoints, args.rounds, args.only))
    finally:
        receiver.terminate()
    print(json.dumps({"endpoints": args.endpoints, "rounds": args.rounds, **figures}))


if __name__ == "__main__":
    main()
