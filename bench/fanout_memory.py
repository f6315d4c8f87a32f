"""Where a `tocsin serve` node's memory per idle stream goes: tracemalloc and /proc smaps.

The node runs under a short boot script (`BOOT`) that starts tracemalloc at the first SIGUSR1
and dumps a snapshot at each; the benchmark signals once before opening the streams and once
after, and reports the allocation sites that grew, per stream, next to the growth of the
process's anonymous memory. The server's code is not touched for this, and the traced run is
separate from the timed ones (tracing slows every allocation).
"""

from __future__ import annotations

import asyncio
import os
import signal
import tracemalloc
from pathlib import Path
from typing import Any

from fanout_clients import ClientPool

SNAPSHOT_ENV = "BENCH_TRACEMALLOC_FILE"

# Tracing starts at the first signal, once the node is up: traced imports take minutes, and
# only what the streams add is wanted.
BOOT = f"""
import os, signal, sys, tracemalloc
def dump(*_):
    if not tracemalloc.is_tracing():
        tracemalloc.start(12)
    path = os.environ["{SNAPSHOT_ENV}"]
    tracemalloc.take_snapshot().dump(path + ".part")
    os.replace(path + ".part", path)
signal.signal(signal.SIGUSR1, dump)
from tocsin.cli import main
sys.argv[0] = "tocsin"
main()
"""


def smaps(pid: int) -> dict[str, int]:
    """The kB fields of /proc/<pid>/smaps_rollup (Rss, Anonymous, ...)."""
    fields: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, _, rest = line.partition(":")
        parts = rest.split()
        if parts and parts[0].isdigit():
            fields[name] = int(parts[0])
    return fields


async def snapshot(pid: int, path: Path) -> tracemalloc.Snapshot:
    """Ask the traced node for a snapshot and load it."""
    path.unlink(missing_ok=True)
    os.kill(pid, signal.SIGUSR1)
    for _ in range(1200):
        if path.exists():
            return await asyncio.to_thread(tracemalloc.Snapshot.load, str(path))
        await asyncio.sleep(0.1)
    raise RuntimeError("the traced node wrote no snapshot")


def _where(frames: tracemalloc.Traceback, depth: int = 4) -> list[str]:
    """The innermost frames first (a traceback runs oldest first), paths shortened."""
    shown = []
    for frame in list(frames)[::-1][:depth]:
        name = frame.filename
        for anchor in ("site-packages/", "/src/", "/lib/python3.11/"):
            if anchor in name:
                name = name.split(anchor, 1)[1]
                break
        shown.append(f"{name}:{frame.lineno}")
    return shown


def growth_report(
    before: tracemalloc.Snapshot, after: tracemalloc.Snapshot, streams: int, limit: int = 12
) -> dict[str, Any]:
    """Per-stream growth: in total, by file, and the largest allocation sites (tracebacks)."""
    own = [tracemalloc.Filter(False, tracemalloc.__file__)]
    before, after = before.filter_traces(own), after.filter_traces(own)
    per_stream = max(1, streams) * 1024

    def traced(snap: tracemalloc.Snapshot) -> int:
        return sum(stat.size for stat in snap.statistics("filename"))

    by_file = sorted(after.compare_to(before, "filename"), key=lambda s: -s.size_diff)
    by_site = sorted(after.compare_to(before, "traceback"), key=lambda s: -s.size_diff)
    return {
        "traced_kb_per_stream": round((traced(after) - traced(before)) / per_stream, 2),
        "by_file": [
            {
                "file": _where(s.traceback, 1)[0].rsplit(":", 1)[0],
                "kb_per_stream": round(s.size_diff / per_stream, 2),
            }
            for s in by_file[:limit]
        ],
        "by_site": [
            {
                "kb_per_stream": round(s.size_diff / per_stream, 2),
                "blocks_per_stream": round(s.count_diff / max(1, streams), 1),
                "where": _where(s.traceback),
            }
            for s in by_site[:limit]
        ],
    }


async def idle_growth(
    pid: int, port: int, tokens: list[str], pool: ClientPool, path: Path
) -> dict[str, Any]:
    """Snapshot the traced node `pid`, open one stream per token, let them idle, snapshot
    again; the growth per stream, traced and as the kernel counts it."""
    before, smaps_before = await snapshot(pid, path), smaps(pid)
    try:
        # A traced node is slow: a few streams refused (503) do not spoil the profile.
        count = await pool.open([port], tokens, tolerance=0.05)
        await asyncio.sleep(2.0)
        after, smaps_after = await snapshot(pid, path), smaps(pid)
    finally:
        await pool.close()

    def grown(field: str) -> float:
        return round((smaps_after[field] - smaps_before[field]) / count, 1)

    return {
        "streams": count,
        # Tracing keeps a traceback per block: the process grows far more than untraced.
        "rss_kb_per_stream_while_traced": grown("Rss"),
        **growth_report(before, after, count),
    }
