"""One member's large alert must not slow the others: their latency while it is written.

Usage:  .venv/bin/python bench/large_alert.py [--quick] [--indicators 50000] [--readers 50]
                                              [--database-url URL]

A `tocsin serve` subprocess (SQLite in a temporary directory unless --database-url) with
N+1 establishments in one region and 20 published alerts. N reader organisations, each on
its own keep-alive connection, loop: list the alerts (`GET /api/v1/alerts?limit=5`), read
one (`GET /api/v1/alerts/{id}`). Phase 1 (the floor, same server, same readers): 10 s
without the writer. Phase 2: the last organisation creates and publishes an alert of
--indicators indicators while the readers go on. Phase 3: 10 s after it. Reported per phase:
the readers' p50/p95/max and their errors (any non-2xx, e.g. a 503 from a locked database);
the write's own time; `during_p95_ratio_to_floor` and `during_p95_ratio_to_target` (300 ms).
The last line is JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from fanout import ALERT, Server, build_network, percentiles

TARGET_P95_MS = 300.0


def big_alert(count: int) -> dict[str, Any]:
    """An alert with `count` distinct indicators: addresses, domains and SHA-256 digests."""
    rng = random.Random(13)
    indicators = []
    for index in range(count):
        kind = index % 3
        if kind == 0:
            value = f"10.{index >> 16 & 255}.{index >> 8 & 255}.{index & 255}"
            indicators.append({"type": "ipv4", "value": value})
        elif kind == 1:
            indicators.append({"type": "domain", "value": f"c2-{index}.bad{index % 97}.example"})
        else:
            indicators.append({"type": "sha256", "value": f"{rng.getrandbits(256):064x}"})
    return ALERT | {"title": "Large alert", "indicators": indicators}


class Readers:
    """N organisations reading in a loop; latencies and errors per phase."""

    def __init__(self, url: str, tokens: list[str], alert_ids: list[str]) -> None:
        self.clients = [
            httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {t}"}, timeout=60)
            for t in tokens
        ]
        self.alert_ids = alert_ids
        self.phase = "floor"
        self.latencies: dict[str, list[float]] = {}
        self.errors: dict[str, dict[str, int]] = {}
        self.running = True

    async def _one(self, client: httpx.AsyncClient, path: str) -> None:
        phase, started = self.phase, time.monotonic()
        try:
            status = (await client.get(path)).status_code
        except httpx.HTTPError as error:
            status = type(error).__name__  # type: ignore[assignment]
        self.latencies.setdefault(phase, []).append(time.monotonic() - started)
        if status != 200:
            counts = self.errors.setdefault(phase, {})
            counts[str(status)] = counts.get(str(status), 0) + 1

    async def loop(self, client: httpx.AsyncClient, seed: int) -> None:
        rng = random.Random(seed)
        while self.running:
            await self._one(client, "/api/v1/alerts?limit=5")
            await self._one(client, f"/api/v1/alerts/{rng.choice(self.alert_ids)}")

    async def close(self) -> None:
        for client in self.clients:
            await client.aclose()


async def seed_alerts(url: str, tokens: list[str], count: int) -> list[str]:
    ids = []
    for index in range(count):
        headers = {"Authorization": f"Bearer {tokens[index % len(tokens)]}"}
        async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as http:
            created = (await http.post("/api/v1/alerts", json=ALERT)).json()
            (await http.post(f"/api/v1/alerts/{created['id']}/publish")).raise_for_status()
            ids.append(created["id"])
    return ids


async def write_large(url: str, token: str, body: dict[str, Any]) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=600) as http:
        started = time.monotonic()
        created = await http.post("/api/v1/alerts", json=body)
        created_s = time.monotonic() - started
        published = await http.post(f"/api/v1/alerts/{created.json()['id']}/publish")
        return {"create_status": created.status_code, "publish_status": published.status_code,
                "create_s": round(created_s, 2),
                "total_s": round(time.monotonic() - started, 2)}  # fmt: skip


async def run(database_url: str, data_dir: Path, readers: int, indicators: int,
              settle: float) -> dict[str, Any]:  # fmt: skip
    _source, tokens, _ids = build_network(database_url, readers + 1)
    server = Server(database_url, data_dir, {"TOCSIN_RATE_LIMIT_WRITES_PER_MINUTE": "1000000"})
    try:
        await server.ready()
        alert_ids = await seed_alerts(server.url, tokens[:readers], 20)
        body = big_alert(indicators)
        crowd = Readers(server.url, tokens[:readers], alert_ids)
        loops = [asyncio.create_task(crowd.loop(c, i)) for i, c in enumerate(crowd.clients)]
        await asyncio.sleep(settle)
        crowd.phase = "during"
        write = await write_large(server.url, tokens[readers], body)
        crowd.phase = "after"
        await asyncio.sleep(settle)
        crowd.running = False
        await asyncio.gather(*loops)
        await crowd.close()
    finally:
        server.stop()
    phases = {name: percentiles(values) | {"errors": crowd.errors.get(name, {})}
              for name, values in crowd.latencies.items()}  # fmt: skip
    for stats, values in ((phases[n], crowd.latencies[n]) for n in phases):
        ordered = sorted(values)
        stats["p95_ms"] = round(ordered[int(len(ordered) * 0.95)] * 1000, 1)
    floor, during = phases["floor"]["p95_ms"], phases["during"]["p95_ms"]
    return {"write": write, "phases": phases,
            "during_p95_ratio_to_floor": round(during / floor, 2),
            "during_p95_ratio_to_target": round(during / TARGET_P95_MS, 2),
            "after_p95_ratio_to_floor": round(phases["after"]["p95_ms"] / floor, 2)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20,000 indicators, 20 readers")
    parser.add_argument("--indicators", type=int, default=50_000)
    parser.add_argument("--readers", type=int, default=50)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    indicators, readers, settle = (
        (20_000, 20, 5.0) if args.quick else (args.indicators, args.readers, 10.0)
    )
    with tempfile.TemporaryDirectory() as directory:
        data_dir = Path(directory)
        url = args.database_url or f"sqlite:///{data_dir / 'bench.db'}"
        result = asyncio.run(run(url, data_dir, readers, indicators, settle))
    summary = {"benchmark": "large_alert", "indicators": indicators, "readers": readers,
               "database": url.split(":", 1)[0], "load_average": os.getloadavg()[0],
               "target_p95_ms": TARGET_P95_MS} | result  # fmt: skip
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
