"""MISP feed import: incremental, resumable, past refused events, from a directory or HTTP."""

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
from tocsin.interop.exchange_models import FeedImport
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
    assert len(first.imported) == 2  # the unreadable event does not stop the run
    assert [u for u, _ in first.unreadable] == [UUIDS[1]]
    assert titles(state) == ["event 0", "event 2"]

    write_event(feed, 1, 1_700_000_001, "event 1")
    resumed = run(source=open_feed(str(feed)))
    assert (len(resumed.imported), resumed.unchanged, resumed.unreadable) == (1, 2, [])
    assert titles(state) == ["event 0", "event 1", "event 2"]
    assert run(source=open_feed(str(feed))).imported == []

    write_event(feed, 2, 1_700_000_100, "event 2, revised")
    changed = run(source=open_feed(str(feed)))
    assert len(changed.imported) == 1
    assert titles(state) == ["event 0", "event 1", "event 2, revised"]  # the draft rewritten

    over_http = run(source=open_feed(url))  # another feed location: its own progress
    assert (len(over_http.imported), over_http.unreadable) == (3, [])
    assert run(source=open_feed(url)).imported == []
    with transaction(state.sessions) as session:
        assert session.scalar(select(func.count()).select_from(Alert)) == 6


def test_an_unreadable_feed_reports_the_failure_and_imports_nothing(
    state: AppState, world: World, tmp_path: Path
) -> None:
    report = import_feed(sessions=state.sessions, source=open_feed(str(tmp_path / "absent")),
                         org_id=world.ids["E1"], by=Actor(), clock=state.clock)  # fmt: skip
    assert [u for u, _ in report.unreadable] == ["manifest.json"]
    assert titles(state) == []


def test_a_refused_event_is_recorded_skipped_and_not_read_again_until_it_changes(
    state: AppState, world: World, tmp_path: Path
) -> None:
    run = functools.partial(import_feed, sessions=state.sessions, source=open_feed(str(tmp_path)),
                            org_id=world.ids["E1"], by=Actor(), clock=state.clock)  # fmt: skip
    for n in range(3):
        write_event(tmp_path, n, 1_700_000_000 + n, f"event {n}")
    oldest = json.loads((tmp_path / f"{UUIDS[0]}.json").read_text())
    del oldest["Event"]["info"]  # no title: the whole event is refused
    (tmp_path / f"{UUIDS[0]}.json").write_text(json.dumps(oldest))
    with_bad_value = json.loads((tmp_path / f"{UUIDS[1]}.json").read_text())
    with_bad_value["Event"]["Attribute"][1]["value"] = "not a domain!"
    (tmp_path / f"{UUIDS[1]}.json").write_text(json.dumps(with_bad_value))

    first = run()
    assert len(first.imported) == 2 and [u for u, _ in first.refused] == [UUIDS[0]]
    assert [where for where, _ in first.left_out] == [
        f"{UUIDS[1]}: Attribute[1] 0a1b2c3d-0000-4000-8000-000000000002"]  # fmt: skip
    assert titles(state) == ["event 1", "event 2"]
    with transaction(state.sessions) as session:
        outcomes = dict(session.execute(select(FeedImport.event_uuid, FeedImport.outcome)).all())
    assert outcomes == {UUIDS[0]: "refused", UUIDS[1]: "imported", UUIDS[2]: "imported"}
    again = run()
    assert (again.imported, again.refused, again.unchanged) == ([], [], 3)

    write_event(tmp_path, 0, 1_700_000_050, "event 0, fixed")
    fixed = run()
    assert (len(fixed.imported), fixed.refused) == (1, [])
    assert titles(state) == ["event 0, fixed", "event 1", "event 2"]
