"""TAXII 2.1 read throughput: tocsin against medallion, the OASIS reference server.

The same STIX objects are loaded into both servers (tocsin through its bulk insert path,
medallion through its memory backend's data file), then taxii2-client pages through every
object of the collection on each, side by side. Also timed: importing a bundle of 25,000
objects into tocsin (parse the bundle, store it, commit).

medallion is installed from the package index into `bench/.venv-medallion` on first run.

    .venv/bin/python bench/taxii.py            # 50,000 objects, 3 rounds (medians)
    .venv/bin/python bench/taxii.py --quick    # 3,000 objects, 1 round, under a minute

medallion's memory backend sorts each first page by scanning every object for every
manifest entry (quadratic): it cannot page through 50,000 objects in useful time. So it
gets a time budget at that size (`--budget`, then stopped: its rate is below objects /
budget, and the ratio a lower bound), and a smaller size (`--compare-objects`) that both
servers page through to the end gives a measured ratio.

The last line printed is the result as JSON.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests
from taxii2client.v21 import Server, as_pages

from tocsin.audit.service import SYSTEM
from tocsin.db import migrate, transaction
from tocsin.interop.taxii import store
from tocsin.interop.taxii.collections import submissions_collection_id
from tocsin.network import service as network
from tocsin.network.models import OrgKind, Scope
from tocsin.settings import Settings
from tocsin.state import build_state

HERE = Path(__file__).resolve().parent
MEDALLION_VENV = HERE / ".venv-medallion"
MEDALLION_USER, MEDALLION_PASSWORD = "bench", "bench-password"
STIX_MEDIA = "application/stix+json;version=2.1"
TAXII_MEDIA = "application/taxii+json;version=2.1"
START = datetime(2026, 1, 1, tzinfo=UTC)
T0 = time.monotonic()
MEDALLION_COLLECTION = str(uuid.uuid5(uuid.NAMESPACE_URL, "bench"))


def stix_objects(count: int, salt: str) -> list[dict[str, Any]]:
    """`count` distinct indicators, the same for every run with the same salt."""
    objects = []
    for number in range(count):
        stamp = (START + timedelta(seconds=number)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        objects.append(
            {
                "type": "indicator",
                "spec_version": "2.1",
                "id": f"indicator--{uuid.uuid5(uuid.NAMESPACE_URL, f'{salt}/{number}')}",
                "created": stamp,
                "modified": stamp,
                "name": f"bench indicator {number}",
                "indicator_types": ["malicious-activity"],
                "pattern": f"[ipv4-addr:value = '10.{number >> 16 & 255}.{number >> 8 & 255}."
                f"{number & 255}']",
                "pattern_type": "stix",
                "valid_from": stamp,
            }
        )
    return objects


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for(url: str, auth: tuple[str, str], process: subprocess.Popen[bytes]) -> None:
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            if httpx.get(url, auth=auth, headers={"Accept": TAXII_MEDIA}).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer")


@contextmanager
def running(
    servers: list[tuple[list[str], dict[str, str], str, tuple[str, str]]],
) -> Iterator[list[subprocess.Popen[bytes]]]:
    """Start every server at once (start-up dominates a quick run), wait until all answer."""
    processes = [
        subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for command, env, _, _ in servers
    ]
    try:
        for process, (_, _, url, auth) in zip(processes, servers, strict=True):
            wait_for(url, auth, process)
        yield processes
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)


def ensure_medallion() -> Path:
    """medallion in its own virtual environment, installed from the package index once."""
    binary = MEDALLION_VENV / "bin" / "medallion"
    if not binary.exists():
        print("installing medallion into bench/.venv-medallion ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(MEDALLION_VENV)], check=True)
        pip = [str(MEDALLION_VENV / "bin" / "python"), "-m", "pip", "install", "-q"]
        subprocess.run([*pip, "medallion"], check=True)
    return binary


def medallion_files(folder: Path, port: int, objects: list[dict[str, Any]], page: int) -> Path:
    """A medallion configuration with a memory backend holding `objects` in one collection."""
    added = START
    manifest = []
    for obj in objects:
        added += timedelta(microseconds=1)
        manifest.append(
            {
                "id": obj["id"],
                "date_added": added.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                "version": obj["modified"],
                "media_type": STIX_MEDIA,
            }
        )
    root = f"http://127.0.0.1:{port}/api1/"
    data = {
        "/discovery": {"title": "medallion", "default": root, "api_roots": [root]},
        "api1": {
            "information": {
                "title": "bench",
                "versions": [TAXII_MEDIA],
                "max_content_length": 100_000_000,
            },
            "status": [],
            "collections": [
                {
                    "id": MEDALLION_COLLECTION,
                    "title": "bench",
                    "can_read": True,
                    "can_write": True,
                    "media_types": [STIX_MEDIA],
                    "objects": objects,
                    "manifest": manifest,
                }
            ],
        },
    }
    data_file = folder / "medallion-data.json"
    data_file.write_text(json.dumps(data))
    config = {
        "backend": {
            "module": "medallion.backends.memory_backend",
            "module_class": "MemoryBackend",
            "filename": str(data_file),
            "session_timeout": 3600,
        },
        "users": {MEDALLION_USER: MEDALLION_PASSWORD},
        "taxii": {"max_page_size": page},
    }
    config_file = folder / "medallion.json"
    config_file.write_text(json.dumps(config))
    return config_file


def page_through(
    discovery: str, auth: tuple[str, str], page: int, collection_id: str
) -> tuple[int, float]:
    """Objects read and seconds taken to page through a collection with taxii2-client."""
    server = Server(discovery, user=auth[0], password=auth[1])
    collection = next(c for c in server.api_roots[0].collections if c.id == collection_id)
    started = time.perf_counter()
    seen = 0
    for envelope in as_pages(collection.get_objects, per_request=page):
        seen += len(envelope.get("objects", []))
    return seen, time.perf_counter() - started


def load_tocsin(database_url: str, objects: list[dict[str, Any]]) -> tuple[str, str, float]:
    """A migrated tocsin database with one organisation holding `objects`: token, collection."""
    state = build_state(Settings(database_url=database_url, run_workers=False))
    migrate(state.engine)
    now = datetime.now(UTC)
    with transaction(state.sessions) as session:
        org = network.create_organisation(
            session=session, name="Bench CERT", kind=OrgKind.national, now=now, actor=SYSTEM
        )
        _, secret = network.issue_token(
            session=session,
            organisation_id=org.id,
            name="bench",
            scopes=[Scope.read, Scope.write],
            now=now,
            actor=SYSTEM,
        )
    started = time.perf_counter()
    with transaction(state.sessions) as session:
        store.add_objects(
            session=session,
            collection_id=submissions_collection_id(org.id),
            objects=objects,
            now=now,
            owner_org_id=org.id,
        )
    loaded = time.perf_counter() - started
    state.engine.dispose()
    return secret, submissions_collection_id(org.id), loaded


def time_bundle_import(database_url: str, count: int) -> float:
    """Seconds to parse a bundle of `count` objects and store it in one transaction."""
    bundle = json.dumps(
        {
            "type": "bundle",
            "id": f"bundle--{uuid.uuid4()}",
            "objects": stix_objects(count, "bundle"),
        }
    )
    state = build_state(Settings(database_url=database_url, run_workers=False))
    now = datetime.now(UTC)
    with transaction(state.sessions) as session:
        org = network.create_organisation(
            session=session,
            name=f"Importer {uuid.uuid4().hex[:6]}",
            kind=OrgKind.partner,
            now=now,
            actor=SYSTEM,
        )
    started = time.perf_counter()
    with transaction(state.sessions) as session:
        result = store.add_objects(
            session=session,
            collection_id=submissions_collection_id(org.id),
            objects=json.loads(bundle)["objects"],
            now=now,
            owner_org_id=org.id,
        )
    elapsed = time.perf_counter() - started
    state.engine.dispose()
    assert len(result.successes) == count, result.failures[:3]
    return elapsed


def page_with_budget(
    discovery: str, auth: tuple[str, str], page: int, collection_id: str, budget: float,
    process: subprocess.Popen[bytes],
) -> tuple[int, float] | None:  # fmt: skip
    """Like `page_through`, but gives up after `budget` seconds (stopping the server)."""
    outcome: list[tuple[int, float]] = []

    def read_all() -> None:
        # The server is stopped at the end of the budget: the pending request then fails.
        with contextlib.suppress(requests.RequestException):
            outcome.append(page_through(discovery, auth, page, collection_id))

    worker = threading.Thread(target=read_all, daemon=True)
    worker.start()
    worker.join(timeout=budget)
    if worker.is_alive():
        process.terminate()  # the client's pending request fails and the thread ends
        worker.join(timeout=30)
        return None
    return outcome[0] if outcome else None


def side_by_side(count: int, page: int, rounds: int, budget: float) -> dict[str, Any]:
    """Load `count` objects into both servers and page through them with taxii2-client."""
    objects = stix_objects(count, f"shared-{count}")
    medallion = ensure_medallion()
    with tempfile.TemporaryDirectory(prefix="tocsin-bench-taxii-") as tmp:
        folder = Path(tmp)
        database_url = f"sqlite:///{folder / 'tocsin.db'}"
        token, collection, load_seconds = load_tocsin(database_url, objects)
        log(f"{count} objects loaded into tocsin in {load_seconds:.1f} s")
        tocsin_port, medallion_port = free_port(), free_port()
        config = medallion_files(folder, medallion_port, objects, page)
        env = {**os.environ, "TOCSIN_DATABASE_URL": database_url, "TOCSIN_RUN_WORKERS": "false",
               "TOCSIN_DATA_DIR": str(folder)}  # fmt: skip
        tocsin_cmd = [sys.executable, "-m", "uvicorn", "tocsin.app:create_app", "--factory",
                      "--host", "127.0.0.1", "--port", str(tocsin_port),
                      "--log-level", "warning"]  # fmt: skip
        medallion_cmd = [str(medallion), "--host", "127.0.0.1", "--port", str(medallion_port),
                         "--log-level", "ERROR", str(config)]  # fmt: skip
        tocsin_url = f"http://127.0.0.1:{tocsin_port}/taxii2/"
        medallion_url = f"http://127.0.0.1:{medallion_port}/taxii2/"
        tocsin_auth = ("bench", token)
        medallion_auth = (MEDALLION_USER, MEDALLION_PASSWORD)
        log("starting both servers")
        tocsin_rates: list[float] = []
        medallion_rates: list[float] = []
        finished = True
        servers = [
            (tocsin_cmd, env, tocsin_url, tocsin_auth),
            (medallion_cmd, dict(os.environ), medallion_url, medallion_auth),
        ]
        with running(servers) as (_, medallion_process):
            for _round in range(rounds):
                seen, seconds = page_through(tocsin_url, tocsin_auth, page, collection)
                assert seen == count, f"tocsin returned {seen} of {count} objects"
                tocsin_rates.append(seen / seconds)
                log(f"{count} objects, tocsin: {seconds:.2f} s ({seen / seconds:,.0f}/s)")
                if not finished:
                    continue
                timed = page_with_budget(
                    medallion_url, medallion_auth, page, MEDALLION_COLLECTION, budget,
                    medallion_process,
                )  # fmt: skip
                if timed is None:
                    finished = False
                    log(f"{count} objects, medallion: not done after {budget:.0f} s, stopped")
                    continue
                seen, seconds = timed
                assert seen == count, f"medallion returned {seen} of {count} objects"
                medallion_rates.append(seen / seconds)
                log(f"{count} objects, medallion: {seconds:.2f} s ({seen / seconds:,.0f}/s)")
    tocsin_rate = statistics.median(tocsin_rates)
    result: dict[str, Any] = {
        "objects": count,
        "tocsin_load_seconds": round(load_seconds, 2),
        "tocsin_objects_per_s": round(tocsin_rate),
        "medallion_finished": finished,
    }
    if finished:
        medallion_rate = statistics.median(medallion_rates)
        result["medallion_objects_per_s"] = round(medallion_rate, 1)
        result["ratio"] = round(tocsin_rate / medallion_rate, 1)
    else:  # medallion read fewer than `count` objects in `budget` seconds: bounds only
        result["medallion_objects_per_s_below"] = round(count / budget, 1)
        result["ratio_at_least"] = round(tocsin_rate / (count / budget), 1)
    return result


def log(message: str) -> None:
    print(f"[{time.monotonic() - T0:6.1f}s] {message}", file=sys.stderr, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, one round")
    parser.add_argument("--objects", type=int, default=None, help="objects in both servers")
    parser.add_argument("--compare-objects", type=int, default=None,
                        help="a size medallion pages through completely")  # fmt: skip
    parser.add_argument("--import-objects", type=int, default=None)
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--budget", type=float, default=None,
                        help="seconds medallion gets to page through --objects")  # fmt: skip
    parser.add_argument("--page", type=int, default=1000, help="objects per request, both servers")
    args = parser.parse_args()
    count = args.objects or (3_000 if args.quick else 50_000)
    compare = args.compare_objects or (200 if args.quick else 1_000)
    import_count = args.import_objects or (2_500 if args.quick else 25_000)
    rounds = args.rounds or (1 if args.quick else 3)
    budget = args.budget or (5.0 if args.quick else 300.0)

    at_scale = side_by_side(count, args.page, rounds, budget)
    completed = side_by_side(compare, args.page, rounds, budget)
    with tempfile.TemporaryDirectory(prefix="tocsin-bench-import-") as tmp:
        database_url = f"sqlite:///{Path(tmp) / 'tocsin.db'}"
        load_tocsin(database_url, [])
        import_seconds = statistics.median(
            time_bundle_import(database_url, import_count) for _ in range(rounds)
        )
    log(f"bundle of {import_count} objects imported in {import_seconds:.2f} s")
    ratio = at_scale.get("ratio", at_scale.get("ratio_at_least", 0))
    result = {
        "benchmark": "taxii",
        "page": args.page,
        "rounds": rounds,
        "at_scale": at_scale,
        "completed": completed,
        "import_objects": import_count,
        "import_seconds": round(import_seconds, 2),
        "targets": {"ratio": 10, "import_seconds": 10},
        "ok": ratio >= 10 and completed["ratio"] >= 10 and import_seconds <= 10,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
