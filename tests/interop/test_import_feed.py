"""MISP feed import: incremental, resumable, from a directory or over HTTP."""

from __future__ import annotations

import copy
import functools
import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.interop.test_misp import foreign_event
from tests.world import World
from tocsin.alerts.models import Alert
from tocsin.audit.service import Actor
from tocsin.db import transaction
from tocsin.exchange.misp_feed import import_feed, open_feed
from tocsin.state import AppState

UUIDS = [f"11111111-2222-4333-8444-55555555555{n}" for n in range(3)]


def write_event(feed: Path, n: int, stamp: int, info: str) -> None:
    event = copy.deepcopy(foreign_event())
    event["Event"].update(uuid=UUIDS[n], info=info, timestamp=str(stamp))
    (feed / f"{UUIDS[n]}.json").write_text(json.dumps(event))
    manifest_path = feed / "manifest.json"
    manifest: dict[str, Any] = (
        json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    )
    manifest[UUIDS[n]] = {"info": info, "timestamp": str(stamp), "Tag": []}
    manifest_path.write_text(json.dumps(manifest))


def titles(state: AppState) -> list[str]:
    with transaction(state.sessions) as session:
        return sorted(session.scalars(select(Alert.title)))


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A feed directory, and the same directory served over HTTP on loopback."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield tmp_path, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_a_feed_imports_only_new_or_changed_events_and_resumes_after_a_failure(
    state: AppState, world: World, served: tuple[Path, str]
) -> None:
    feed, url = served
    actor = Actor(org_id=world.ids["E1"])
    run = functools.partial(import_feed, sessions=state.sessions, org_id=world.ids["E1"],
                            by=actor, clock=state.clock)  # fmt: skip
    for n in range(3):
        write_event(feed, n, 1_700_000_000 + n, f"event {n}")
    (feed / f"{UUIDS[1]}.json").unlink()  # the second event file is missing: fails half-way
    first = run(source=open_feed(str(feed)))
    assert len(first.imported) == 1
    assert first.failed is not None and first.failed[0] == UUIDS[1]
    assert titles(state) == ["event 0"]

    write_event(feed, 1, 1_700_000_001, "event 1")
    resumed = run(source=open_feed(str(feed)))
    assert (len(resumed.imported), resumed.unchanged, resumed.failed) == (2, 1, None)
    assert titles(state) == ["event 0", "event 1", "event 2"]
    assert run(source=open_feed(str(feed))).imported == []

    write_event(feed, 2, 1_700_000_100, "event 2, revised")
    changed = run(source=open_feed(str(feed)))
    assert len(changed.imported) == 1
    assert titles(state) == ["event 0", "event 1", "event 2, revised"]  # the draft rewritten

    over_http = run(source=open_feed(url))  # another feed location: its own progress
    assert (len(over_http.imported), over_http.failed) == (3, None)
    assert run(source=open_feed(url)).imported == []
    with transaction(state.sessions) as session:
        assert session.scalar(select(func.count()).select_from(Alert)) == 6


def test_an_unreadable_feed_reports_the_failure_and_imports_nothing(
    state: AppState, world: World, tmp_path: Path
) -> None:
    report = import_feed(sessions=state.sessions, source=open_feed(str(tmp_path / "absent")),
                         org_id=world.ids["E1"], by=Actor(), clock=state.clock)  # fmt: skip
    assert report.failed is not None and report.failed[0] == "manifest.json"
    assert titles(state) == []
