"""Fan-out benchmark: one critical alert to N establishments, live (SSE) and webhooks.

Usage:  .venv/bin/python bench/fanout.py [--quick] [--subscribers N[,N...]] [--growth]
            [--nats nats://...] [--profile-memory] [--processes K] [--rounds R]
            [--database-url URL]

A network of N establishments in one region, each with one SSE stream to a `tocsin serve`
subprocess; the streams are held by K client processes (`fanout_clients`) so the client is
not what is measured. A first critical alert warms the node up, then R more are published
one after the other by another establishment: publish-to-delivery latency p50/p99/max
(medians over the R), server CPU seconds per fan-out, resident memory per idle stream.
Then N webhook endpoints on one loopback receiver that verifies every Standard Webhooks
signature. Side by side, the floors: a bare asyncio broadcast to N sockets read by the same
client processes, and N bare signed POSTs. --nats: the SSE run again on 1 and on 2 nodes
behind NATS (a JetStream stream of the benchmark's own, deleted after). --growth (or several
sizes): 1,000, 3,000 and 10,000 streams, SSE only, with the growth factors. --profile-memory:
a traced node shows where the memory of idle streams goes. The last line is JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from fanout_clients import ClientPool, bare_broadcast, free_port, raise_fd_limit
from fanout_memory import BOOT, SNAPSHOT_ENV, idle_growth
from fanout_webhooks import HookReceiver, add_webhooks, bare_posts
from tocsin.audit.service import SYSTEM
from tocsin.clock import SystemClock
from tocsin.db import load_all_models, make_engine, make_sessionmaker, migrate, transaction
from tocsin.network import service
from tocsin.network.models import OrgKind, Scope

ALERT = {
    "title": "Bench: ransomware via VPN", "summary": "Encrypted hypervisors.",
    "category": "ransomware", "severity": "critical", "tlp": "amber", "pap": "amber",
    "scope": {"kind": "region"}, "care_impact": {"services": ["emergency"]},
    "origin": {"initial_access": "VPN"}, "attack_steps": [],
    "indicators": [{"type": "domain", "value": "evil.example.com"}], "countermeasures": [],
}  # fmt: skip


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


class Server:
    def __init__(
        self, database_url: str, data_dir: Path, env: dict[str, str], traced: bool = False
    ) -> None:
        self.port = free_port()
        boot = (
            [sys.executable, "-c", BOOT]
            if traced
            else [str(Path(sys.executable).parent / "tocsin")]
        )
        command = [*boot, "serve", "--port", str(self.port)]
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
            for _ in range(1800):
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


async def draft(server: Server, token: str, tag: str = "") -> str:
    """Create a draft alert with `tag` in its title; returns its id."""
    alert = ALERT | {"title": f"{ALERT['title']} {tag}".strip()}
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
        answer = await http.post(
            "/api/v1/alerts", json=alert, headers={"Authorization": f"Bearer {token}"}
        )
        answer.raise_for_status()
        return str(answer.json()["id"])


async def publish(server: Server, token: str, alert_id: str) -> float:
    """Publish a draft; returns the monotonic time just before the call."""
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
        started = time.monotonic()
        answer = await http.post(
            f"/api/v1/alerts/{alert_id}/publish", headers={"Authorization": f"Bearer {token}"}
        )
        answer.raise_for_status()
        return started


# ---------------------------------------------------------------- SSE subscribers


def load() -> str:
    """The 1, 5 and 15 minute load averages (the machine is shared)."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


async def sse_run(
    servers: list[Server], source: str, tokens: list[str], processes: int, rounds: int
) -> dict[str, Any]:
    """Open the streams (clients in `processes` processes), let them idle, then publish
    `rounds` alerts one after the other; medians over the rounds."""
    rss_before = sum(s.rss_kb() for s in servers)
    pool = ClientPool(processes)
    try:
        opening = time.monotonic()
        # On a loaded machine SQLite may refuse a few (503, database locked): counted.
        opened = await pool.open([s.port for s in servers], tokens, tolerance=0.01)
        opening = time.monotonic() - opening
        await asyncio.sleep(2.0)  # idle: let the servers settle
        rss_after = sum(s.rss_kb() for s in servers)
        # The first alert a node fans out pays for its warming up (imports, caches): it is
        # reported apart and left out of the medians.
        cold = await sse_round(servers, source, pool)
        figures = [await sse_round(servers, source, pool) for _ in range(rounds)]
        rss_end = sum(s.rss_kb() for s in servers)
    finally:
        await pool.close()
    return {
        "p50_ms": round(statistics.median(f["p50_ms"] for f in figures), 1),
        "p99_ms": round(statistics.median(f["p99_ms"] for f in figures), 1),
        "max_ms": round(statistics.median(f["max_ms"] for f in figures), 1),
        "rounds": [
            {k: f[k] for k in ("p50_ms", "p99_ms", "missing", "server_cpu_s")} for f in figures
        ],
        "missing": max(f["missing"] for f in figures),
        "cold": cold,
        "server_cpu_s": round(statistics.median(f["server_cpu_s"] for f in figures), 2),
        "server_rss_mb": round(rss_after / 1024, 1),
        # After the alerts: the first draft loads the warning lists, hundreds of MB per node.
        "server_rss_mb_after_alerts": round(rss_end / 1024, 1),
        "kb_per_idle_connection": round((rss_after - rss_before) / max(1, opened), 1),
        "open_s": round(opening, 1),
        "refused": len(tokens) - opened,
        "load": load(),
    }


async def sse_round(servers: list[Server], source: str, pool: ClientPool) -> dict[str, Any]:
    tag = f"bench-{uuid.uuid4().hex[:12]}"
    alert_id = await draft(servers[0], source, tag)
    await pool.arm(tag.encode())
    cpu_before = sum(s.cpu_seconds() for s in servers)
    started = await publish(servers[0], source, alert_id)
    arrivals = await pool.collect(60)
    cpu = sum(s.cpu_seconds() for s in servers) - cpu_before
    latencies = [at - started for at in arrivals if at is not None]
    return {
        **percentiles(latencies),
        "missing": len(arrivals) - len(latencies),
        "server_cpu_s": round(cpu, 2),
    }


# ---------------------------------------------------------------- webhooks and the floor


async def webhook_run(server: Server, source: str, receiver: HookReceiver) -> dict[str, Any]:
    started = await publish(server, source, await draft(server, source))
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


async def floor_broadcast(count: int, processes: int) -> dict[str, Any]:
    """No storage, no auth: one asyncio server writes one message to N sockets, read by
    the same client processes as the server's streams."""
    tag = f"bench-{uuid.uuid4().hex[:12]}"
    body = ALERT | {"title": f"{ALERT['title']} {tag}"}
    payload = ("event: alert.publish\ndata: " + json.dumps(body) + "\n\n").encode()
    latencies = await bare_broadcast(
        ClientPool(processes), count, free_port(), payload, tag.encode()
    )
    return {**percentiles(latencies), "missing": count - len(latencies), "load": load()}


# ---------------------------------------------------------------- one size


def ratio(value: float, floor: float) -> float:
    return round(value / floor, 2) if floor > 0 else -1.0


async def sse_on(bench: Bench, nodes: int, env: dict[str, str], label: str) -> dict[str, Any]:
    servers = [Server(bench.database_url, bench.work, env) for _ in range(nodes)]
    try:
        await asyncio.gather(*(server.ready() for server in servers))
        figures = await sse_run(servers, bench.source, bench.tokens, bench.processes, bench.rounds)
    finally:
        for server in servers:
            server.stop()
    print(f"{len(bench.tokens)} {label}: {json.dumps(figures)}", file=sys.stderr, flush=True)
    return figures


async def nats_runs(bench: Bench, url: str) -> dict[str, Any]:
    """One node, then two, behind a JetStream stream of the benchmark's own, deleted after."""
    stream = f"BENCH_{uuid.uuid4().hex[:8].upper()}"
    env = {"TOCSIN_BUS_URL": url, "TOCSIN_BUS_STREAM": stream}
    try:
        one = await sse_on(bench, 1, env, "sse, 1 node behind NATS")
        two = await sse_on(bench, 2, env, "sse, 2 nodes behind NATS")
    finally:
        await drop_stream(url, stream)
    return {"sse_one_node_nats": one, "sse_two_nodes_nats": two, "nats_stream": stream}


async def drop_stream(url: str, stream: str) -> None:
    import nats
    from nats.js.errors import NotFoundError

    client = await nats.connect(url)
    try:
        with contextlib.suppress(NotFoundError):
            await client.jetstream().delete_stream(stream)
    finally:
        await client.close()


async def webhook_runs(bench: Bench) -> dict[str, Any]:
    receiver = HookReceiver({})
    secrets = await asyncio.to_thread(add_webhooks, bench.database_url, bench.ids, receiver.port)
    receiver.keys = {p: base64.b64decode(s.removeprefix("whsec_")) for p, s in secrets.items()}
    await receiver.start()
    server = Server(bench.database_url, bench.work, {})
    try:
        await server.ready()
        hooks = {**await webhook_run(server, bench.source, receiver), "load": load()}
        print(f"webhooks: {json.dumps(hooks)}", file=sys.stderr, flush=True)
    finally:
        server.stop()
    floor = await bare_posts(receiver, ALERT)
    receiver.close()
    return {
        "webhooks": hooks, "bare_posts": floor,
        "webhooks_ratio_to_bare": ratio(hooks["all_verified_s"], floor["all_verified_s"]),
    }  # fmt: skip


async def memory_profile(bench: Bench) -> dict[str, Any]:
    """A separate traced node: which allocation sites grow with idle streams."""
    path = bench.work / "snap"
    server = Server(bench.database_url, bench.work, {SNAPSHOT_ENV: str(path)}, traced=True)
    try:
        await server.ready()
        pool = ClientPool(bench.processes)
        return await idle_growth(server.process.pid, server.port, bench.tokens, pool, path)
    finally:
        server.stop()


class Bench:
    """One network of `count` establishments in its own database."""

    def __init__(self, args: argparse.Namespace, count: int) -> None:
        self.work = Path(tempfile.mkdtemp(prefix="tocsin-bench-"))
        self.database_url = args.database_url or f"sqlite:///{self.work / 'bench.db'}"
        self.processes, self.rounds = args.processes, args.rounds
        self.count = count

    async def build(self) -> None:
        built = await asyncio.to_thread(build_network, self.database_url, self.count)
        self.source, self.tokens, self.ids = built


async def measure(args: argparse.Namespace, count: int, webhooks: bool) -> dict[str, Any]:
    """Every run of one size; webhooks last, so no other run pays for their deliveries."""
    bench = Bench(args, count)
    await bench.build()
    result: dict[str, Any] = {"subscribers": count, "database": bench.database_url.split(":")[0]}
    result["bare_broadcast"] = await floor_broadcast(count, args.processes)
    print(f"{count} floor: {json.dumps(result['bare_broadcast'])}", file=sys.stderr, flush=True)
    result["sse"] = await sse_on(bench, 1, {}, "sse, 1 node")
    result["sse_p99_ratio_to_bare"] = ratio(
        result["sse"]["p99_ms"], result["bare_broadcast"]["p99_ms"]
    )
    result["server_cpu_ms_per_event"] = round(result["sse"]["server_cpu_s"] * 1000 / count, 3)
    if args.nats:
        result |= await nats_runs(bench, args.nats)
        result["two_nodes_nats_p99_ratio_to_one_node"] = ratio(
            result["sse_two_nodes_nats"]["p99_ms"], result["sse"]["p99_ms"]
        )
        result["one_node_nats_p99_ratio_to_memory_bus"] = ratio(
            result["sse_one_node_nats"]["p99_ms"], result["sse"]["p99_ms"]
        )
    if args.profile_memory:
        result["memory_profile"] = await memory_profile(bench)
    if webhooks:
        result |= await webhook_runs(bench)
    if not args.database_url:
        shutil.rmtree(bench.work, ignore_errors=True)
    print(f"{count}: {json.dumps(result)}", file=sys.stderr, flush=True)
    return result


# ---------------------------------------------------------------- growth and main


def growth(results: list[dict[str, Any]]) -> dict[str, Any]:
    """How each figure grows from the smallest size, next to how the size grows."""
    base = results[0]
    factors: dict[str, Any] = {}
    for result in results[1:]:
        pair: dict[str, Any] = {"subscribers": ratio(result["subscribers"], base["subscribers"])}
        for name, run, field in (
            ("sse_p50", "sse", "p50_ms"), ("sse_p99", "sse", "p99_ms"),
            ("server_cpu", "sse", "server_cpu_s"), ("server_rss", "sse", "server_rss_mb"),
            ("bare_p99", "bare_broadcast", "p99_ms"),
            ("two_nodes_p99", "sse_two_nodes_nats", "p99_ms"),
        ):  # fmt: skip
            if run in result:
                pair[name] = ratio(result[run][field], base[run][field])
        factors[f"{result['subscribers']}/{base['subscribers']}"] = pair
    return factors


async def run(args: argparse.Namespace) -> dict[str, Any]:
    if len(args.sizes) == 1:
        return await measure(args, args.sizes[0], webhooks=True)
    results = [await measure(args, count, webhooks=False) for count in args.sizes]
    return {"sizes": results, "growth": growth(results), "client_processes": args.processes}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="300 subscribers (under a minute)")
    parser.add_argument(
        "--subscribers", default="3000", help="a size, or sizes separated by commas (growth)"
    )
    parser.add_argument("--growth", action="store_true", help="--subscribers 1000,3000,10000")
    parser.add_argument("--processes", type=int, default=4, help="client processes (default 4)")
    parser.add_argument(
        "--rounds", type=int, default=3, help="alerts published per run after a first one"
    )
    parser.add_argument("--database-url", default=None, help="default: SQLite in a temp dir")
    parser.add_argument("--nats", default=None, help="nats://host:port: also 1 and 2 nodes")
    parser.add_argument("--profile-memory", action="store_true", help="traced idle streams")
    args = parser.parse_args()
    args.sizes = [int(size) for size in args.subscribers.split(",")]
    if args.growth:
        args.sizes = [1000, 3000, 10000]
    if args.quick:
        args.sizes, args.rounds = [min(args.sizes[0], 300)], 1
        args.processes = min(args.processes, 2)
    if args.database_url and len(args.sizes) > 1:
        sys.exit("growth runs build one network per size: leave --database-url out (SQLite)")
    # This process holds the floor's server sockets; the nodes inherit the raised limit.
    limit = raise_fd_limit()
    if limit < max(args.sizes) + 200:
        sys.exit(f"the open-file limit ({limit}) is too low for {max(args.sizes)} streams")
    result = asyncio.run(run(args))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
