"""Fan-out benchmark: one critical alert to N establishments, live (SSE) and webhooks.

Usage:  .venv/bin/python bench/fanout.py [--quick] [--subscribers N] [--nats nats://...]
                                         [--database-url URL]

A network of N establishments in one region, each with one SSE subscriber (raw asyncio
sockets in this process) to a `tocsin serve` subprocess; one critical alert published by
another establishment; publish-to-delivery latency p50/p99/max; server CPU seconds for the
fan-out and resident memory per idle SSE connection. Then N webhook endpoints (distinct URLs
on one loopback receiver that verifies every Standard Webhooks signature): time until all
are delivered and verified. Side by side, the floor: a bare asyncio broadcast to N sockets
with no storage, and N bare signed POSTs. With --nats, the SSE run again with 2 nodes behind
NATS (subscribers split between them, the alert published on node 1). The last line is JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import hashlib
import hmac
import json
import os
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from tocsin.audit.service import SYSTEM
from tocsin.clock import SystemClock
from tocsin.db import load_all_models, make_engine, make_sessionmaker, migrate, transaction
from tocsin.delivery import signing
from tocsin.delivery.service import create_webhook
from tocsin.network import service
from tocsin.network.models import OrgKind, Scope

ALERT = {
    "title": "Bench: ransomware via VPN", "summary": "Encrypted hypervisors.",
    "category": "ransomware", "severity": "critical", "tlp": "amber", "pap": "amber",
    "scope": {"kind": "region"}, "care_impact": {"services": ["emergency"]},
    "origin": {"initial_access": "VPN"}, "attack_steps": [],
    "indicators": [{"type": "domain", "value": "evil.example.com"}], "countermeasures": [],
}  # fmt: skip


def raise_fd_limit() -> int:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    if not ordered:
        return {"p50_ms": -1.0, "p99_ms": -1.0, "max_ms": -1.0, "count": 0}
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p99_ms": round(p99 * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
        "count": len(ordered),
    }


# ---------------------------------------------------------------- network and servers


def build_network(database_url: str, count: int) -> tuple[str, list[str], list[uuid.UUID]]:
    """Source token, one token per establishment, their ids."""
    load_all_models()
    engine = make_engine(database_url)
    migrate(engine)
    now = SystemClock().now()
    tokens: list[str] = []
    ids: list[uuid.UUID] = []
    with transaction(make_sessionmaker(engine)) as session:
        region = service.create_organisation(
            session=session, name="Bench region", kind=OrgKind.region, now=now, actor=SYSTEM
        )
        group = service.create_organisation(
            session=session, name="Bench group", kind=OrgKind.group, now=now, actor=SYSTEM,
            region_id=region.id,
        )  # fmt: skip
        for index in range(count + 1):
            org = service.create_organisation(
                session=session, name=f"Bench establishment {index}", kind=OrgKind.establishment,
                now=now, actor=SYSTEM, finess=f"75{index:07d}", group_id=group.id,
                region_id=region.id,
            )  # fmt: skip
            _, secret = service.issue_token(
                session=session, organisation_id=org.id, name="bench",
                scopes=[Scope.read, Scope.write], now=now, actor=SYSTEM,
            )  # fmt: skip
            tokens.append(secret)
            ids.append(org.id)
    engine.dispose()
    return tokens[0], tokens[1:], ids[1:]


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


class Server:
    def __init__(self, database_url: str, data_dir: Path, env: dict[str, str]) -> None:
        self.port = free_port()
        command = [str(Path(sys.executable).parent / "tocsin"), "serve", "--port", str(self.port)]
        full_env = os.environ | {
            "TOCSIN_DATABASE_URL": database_url, "TOCSIN_DATA_DIR": str(data_dir),
            "TOCSIN_WEBHOOK_ALLOW_PRIVATE": "true", "TOCSIN_STREAM_HEARTBEAT_SECONDS": "15",
        } | env  # fmt: skip
        self.log = (data_dir / f"server-{self.port}.log").open("w")
        self.process = subprocess.Popen(command, env=full_env, stderr=self.log)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def ready(self) -> None:
        async with httpx.AsyncClient() as http:
            for _ in range(600):
                with contextlib.suppress(httpx.HTTPError):
                    if (await http.get(f"{self.url}/readyz")).status_code == 200:
                        return
                await asyncio.sleep(0.1)
        raise RuntimeError("server did not become ready")

    def rss_kb(self) -> int:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


async def publish(server: Server, token: str) -> tuple[float, str]:
    """Create a draft, then time the publish call; returns (t0, alert id)."""
    async with httpx.AsyncClient(
        base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=60
    ) as http:
        created = (await http.post("/api/v1/alerts", json=ALERT)).json()
        started = time.monotonic()
        answer = await http.post(f"/api/v1/alerts/{created['id']}/publish")
        answer.raise_for_status()
        return started, created["id"]


# ---------------------------------------------------------------- SSE subscribers


class Subscriber:
    def __init__(self) -> None:
        self.arrived: float | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.task: asyncio.Task[None] | None = None

    async def open(self, port: int, token: str, marker: bytes, path: str) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        self.writer = writer
        writer.write(
            f"GET {path} HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {token}\r\n"
            "Accept: text/event-stream\r\n\r\n".encode()
        )
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        if b" 200 " not in head.split(b"\r\n", 1)[0]:
            raise RuntimeError(f"stream refused: {head[:80]!r}")
        self.task = asyncio.create_task(self._read(reader, marker))

    async def _read(self, reader: asyncio.StreamReader, marker: bytes) -> None:
        buffer = b""
        while self.arrived is None:
            chunk = await reader.read(65536)
            if not chunk:
                return
            buffer = buffer[-64:] + chunk
            if marker in buffer:
                self.arrived = time.monotonic()

    def close(self) -> None:
        if self.task:
            self.task.cancel()
        if self.writer:
            self.writer.close()


async def open_all(
    ports: list[int], tokens: list[str], marker: bytes, path: str = "/api/v1/stream"
) -> list[Subscriber]:
    subscribers = [Subscriber() for _ in tokens]
    batch = 10  # clients connect progressively; the server pool has 15 connections
    for start in range(0, len(tokens), batch):
        await asyncio.gather(
            *(
                subscribers[i].open(ports[i % len(ports)], tokens[i], marker, path)
                for i in range(start, min(start + batch, len(tokens)))
            )
        )
    return subscribers


async def wait_arrivals(subscribers: list[Subscriber], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(s.arrived is None for s in subscribers):
        await asyncio.sleep(0.01)


async def sse_run(servers: list[Server], source: str, tokens: list[str]) -> dict[str, Any]:
    rss_before = sum(s.rss_kb() for s in servers)
    subscribers = await open_all([s.port for s in servers], tokens, b"alert.publish")
    await asyncio.sleep(2.0)  # idle: let the servers settle
    rss_after = sum(s.rss_kb() for s in servers)
    cpu_before = sum(s.cpu_seconds() for s in servers)
    started, _ = await publish(servers[0], source)
    await wait_arrivals(subscribers, 60)
    cpu = sum(s.cpu_seconds() for s in servers) - cpu_before
    latencies = [s.arrived - started for s in subscribers if s.arrived is not None]
    for subscriber in subscribers:
        subscriber.close()
    return {
        **percentiles(latencies),
        "missing": len(subscribers) - len(latencies),
        "server_cpu_s": round(cpu, 2),
        "kb_per_idle_connection": round((rss_after - rss_before) / max(1, len(tokens)), 1),
    }


# ---------------------------------------------------------------- webhooks


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


async def webhook_run(server: Server, source: str, receiver: HookReceiver) -> dict[str, Any]:
    started, _ = await publish(server, source)
    deadline = time.monotonic() + 120
    while len(receiver.verified) < len(receiver.keys) and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    latencies = [at - started for at in receiver.verified.values()]
    return {
        **percentiles(latencies),
        "all_verified_s": round(max(latencies, default=-1), 3),
        "missing": len(receiver.keys) - len(latencies),
        "bad_signatures": receiver.bad,
    }


# ---------------------------------------------------------------- the floor


async def bare_broadcast(count: int) -> dict[str, Any]:
    """No storage, no auth: one asyncio server writes one message to N sockets."""
    writers: list[asyncio.StreamWriter] = []

    async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\r\n")
        writers.append(writer)

    port = free_port()
    server = await asyncio.start_server(accept, "127.0.0.1", port, backlog=4096)
    subscribers = await open_all([port], ["x"] * count, b"alert.publish", "/")
    while len(writers) < count:
        await asyncio.sleep(0.01)
    payload = ("event: alert.publish\ndata: " + json.dumps(ALERT) + "\n\n").encode()
    started = time.monotonic()
    for writer in writers:
        writer.write(payload)
    await wait_arrivals(subscribers, 30)
    latencies = [s.arrived - started for s in subscribers if s.arrived is not None]
    for subscriber in subscribers:
        subscriber.close()
    server.close()
    return percentiles(latencies)


async def bare_posts(receiver: HookReceiver, connections: int = 64) -> dict[str, Any]:
    """N signed POSTs over raw keep-alive sockets, no storage, no HTTP library: the floor.

    (An httpx client with thousands of concurrent requests on one pool spends its time in
    the pool's bookkeeping and times out, which would make the floor meaningless.)"""
    receiver.verified.clear()
    body = json.dumps({"data": ALERT}).encode()
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


# ---------------------------------------------------------------- main


def ratio(value: float, floor: float) -> float:
    return round(value / floor, 1) if floor > 0 else -1.0


async def run(args: argparse.Namespace) -> dict[str, Any]:
    count = args.subscribers
    work = Path(tempfile.mkdtemp(prefix="tocsin-bench-"))
    database_url = args.database_url or f"sqlite:///{work / 'bench.db'}"
    source, tokens, ids = await asyncio.to_thread(build_network, database_url, count)
    result: dict[str, Any] = {"subscribers": count, "database": database_url.split(":", 1)[0]}
    result["bare_broadcast"] = await bare_broadcast(count)
    server = Server(database_url, work, {})
    try:
        await server.ready()
        result["sse"] = await sse_run([server], source, tokens)
        print(f"sse: {json.dumps(result['sse'])}", file=sys.stderr, flush=True)
    finally:
        server.stop()
    receiver = HookReceiver({})
    receiver.port = free_port()
    secrets = await asyncio.to_thread(add_webhooks, database_url, ids, receiver.port)
    receiver.keys = {p: base64.b64decode(s.removeprefix("whsec_")) for p, s in secrets.items()}
    await receiver.start()
    server = Server(database_url, work, {})
    try:
        await server.ready()
        result["webhooks"] = await webhook_run(server, source, receiver)
        print(f"webhooks: {json.dumps(result['webhooks'])}", file=sys.stderr, flush=True)
    finally:
        server.stop()
    result["bare_posts"] = await bare_posts(receiver)
    receiver.close()
    if args.nats:
        stream = f"BENCH_{uuid.uuid4().hex[:8].upper()}"
        env = {"TOCSIN_BUS_URL": args.nats, "TOCSIN_BUS_STREAM": stream}
        # Webhooks stay registered but their receiver is gone: only the SSE figures count here.
        nodes = [Server(database_url, work, env), Server(database_url, work, env)]
        try:
            await asyncio.gather(*(n.ready() for n in nodes))
            result["sse_two_nodes_nats"] = await sse_run(nodes, source, tokens)
        finally:
            for node in nodes:
                node.stop()
    result["sse_p99_ratio_to_bare"] = ratio(
        result["sse"]["p99_ms"], result["bare_broadcast"]["p99_ms"]
    )
    result["webhooks_ratio_to_bare"] = ratio(
        result["webhooks"]["all_verified_s"], result["bare_posts"]["all_verified_s"]
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="300 subscribers (under a minute)")
    parser.add_argument("--subscribers", type=int, default=3000)
    parser.add_argument("--database-url", default=None, help="default: SQLite in a temp dir")
    parser.add_argument("--nats", default=None, help="nats://host:port: also run 2 nodes")
    args = parser.parse_args()
    if args.quick:
        args.subscribers = min(args.subscribers, 300)
    limit = raise_fd_limit()
    if limit < args.subscribers * 3 + 100:
        sys.exit(f"the open-file limit ({limit}) is too low for {args.subscribers} subscribers")
    result = asyncio.run(run(args))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
