"""Pulling from another hub: a remote tocsin node's TAXII 2.1 server, in a second process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from tests.alerts.factory import alert_body
from tests.world import World, build_world
from tocsin.alerts.models import Alert
from tocsin.app import node_jobs
from tocsin.audit.service import Actor
from tocsin.cli import app as cli_app
from tocsin.clock import ManualClock, SystemClock
from tocsin.db import load_all_models, make_engine, make_sessionmaker, migrate, transaction
from tocsin.exchange import taxii_pull
from tocsin.exchange.taxii_pull import PullError, Remote, pull
from tocsin.interop.exchange_models import TaxiiPull
from tocsin.interop.taxii.collections import submissions_collection_id, tlp_collection_id
from tocsin.network.service import load_network
from tocsin.publication import service as publication
from tocsin.settings import Settings, TaxiiPullSource
from tocsin.sharing.tlp import TLP
from tocsin.state import AppState

GREEN = tlp_collection_id(TLP.green)


@dataclass
class RemoteHub:
    base: str
    world: World

    @property
    def api_root(self) -> str:
        return f"{self.base}/taxii2/api/"

    def remote(self, collection: str = GREEN, reader: str = "E3") -> Remote:
        token = self.world.auth(reader)["Authorization"].removeprefix("Bearer ")
        return Remote(api_root=self.api_root, collection_id=collection, token=token)

    def publish(self, title: str, **changes: Any) -> str:
        with httpx.Client(base_url=self.base, headers=self.world.auth("E2"), timeout=60) as api:
            created = api.post("/api/v1/alerts", json=alert_body(title=title, tlp="green",
                                                                 **changes))  # fmt: skip
            assert created.status_code == 201, created.text
            published = api.post(f"/api/v1/alerts/{created.json()['id']}/publish")
            assert published.status_code == 200, published.text
            return str(created.json()["id"])

    def update(self, alert_id: str, **changes: Any) -> None:
        with httpx.Client(base_url=self.base, headers=self.world.auth("E2"), timeout=60) as api:
            changed = api.patch(f"/api/v1/alerts/{alert_id}", json=changes)
            assert changed.status_code == 200, changed.text


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[RemoteHub]:
    """Another tocsin node, `tocsin serve` in its own process, on its own SQLite file."""
    load_all_models()
    data = tmp_path / "remote"
    data.mkdir()
    url = f"sqlite:///{data / 'remote.db'}"
    engine = make_engine(url)
    migrate(engine)
    settings = Settings(environment="test", data_dir=data, database_url=url)
    world = build_world(AppState(settings=settings, engine=engine,
                                 sessions=make_sessionmaker(engine), clock=SystemClock()))  # fmt: skip
    engine.dispose()
    port = _free_port()
    env = os.environ | {"TOCSIN_DATABASE_URL": url, "TOCSIN_DATA_DIR": str(data),
                        "TOCSIN_ENVIRONMENT": "test", "TOCSIN_RUN_WORKERS": "false"}  # fmt: skip
    command = [sys.executable, "-c", "from tocsin.cli import main; main()", "serve", "--port",
               str(port)]  # fmt: skip
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            try:
                if httpx.get(f"{base}/api/v1/openapi.json", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            pytest.fail("the remote node did not start")
        yield RemoteHub(base, world)
    finally:
        process.terminate()
        process.wait(timeout=20)


def _titles(state: AppState) -> list[str]:
    with transaction(state.sessions) as session:
        return sorted(session.scalars(select(Alert.title)))


def _pull(state: AppState, world: World, remote: Remote) -> taxii_pull.PullReport:
    org = world.ids["E1"]
    with httpx.Client(timeout=60) as client:
        return pull(sessions=state.sessions, remote=remote, org_id=org, by=Actor(org_id=org),
                    clock=state.clock, client=client)  # fmt: skip


def test_a_pull_imports_only_what_the_remote_added_since_the_last_one(
    state: AppState, world: World, hub: RemoteHub
) -> None:
    hub.publish("Ransomware at the remote hospital")
    first = _pull(state, world, hub.remote())
    assert [(d.title, d.indicators) for d in first.drafts] == [
        ("Ransomware at the remote hospital", 4)
    ]
    assert first.added_after is None and first.added_last is not None
    assert _titles(state) == ["Ransomware at the remote hospital"]

    again = _pull(state, world, hub.remote())  # asks added_after the remembered date
    assert (again.objects, again.drafts, again.added_after) == (0, [], first.added_last)
    assert _titles(state) == ["Ransomware at the remote hospital"]

    hub.publish("Phishing wave on the region")
    later = _pull(state, world, hub.remote())
    assert [d.title for d in later.drafts] == ["Phishing wave on the region"]
    assert _titles(state) == ["Phishing wave on the region", "Ransomware at the remote hospital"]
    with transaction(state.sessions) as session:
        drafts = session.scalars(select(Alert)).all()
        assert {a.source_org_id for a in drafts} == {world.ids["E1"]}
        assert {a.status.value for a in drafts} == {"draft"}


def _indicator(n: int, pattern: str) -> dict[str, Any]:
    return {
        "type": "indicator", "spec_version": "2.1",
        "id": f"indicator--00000000-0000-4000-8000-00000000000{n}",
        "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
        "name": f"indicator {n}", "pattern": pattern, "pattern_type": "stix",
        "valid_from": "2026-01-01T00:00:00Z",
    }  # fmt: skip


def test_refused_objects_are_reported_the_rest_imported_and_not_read_again(
    state: AppState, world: World, hub: RemoteHub
) -> None:
    submissions = submissions_collection_id(hub.world.ids["E3"])
    envelope = {"objects": [_indicator(1, "[ipv4-addr:value = '198.51.100.9']"),
                            _indicator(2, "[ipv4-addr:value = '999.1.2.3']")]}  # fmt: skip
    media = "application/taxii+json;version=2.1"
    posted = httpx.post(
        f"{hub.api_root}collections/{submissions}/objects/", json=envelope, timeout=60,
        headers=hub.world.auth("E3") | {"Content-Type": media, "Accept": media},
    )  # fmt: skip
    assert posted.status_code == 202, posted.text
    report = _pull(state, world, hub.remote(submissions))
    assert [d.indicators for d in report.drafts] == [1]
    assert [r.object for r in report.refused] == [
        "objects[1] indicator--00000000-0000-4000-8000-000000000002"
    ]
    again = _pull(state, world, hub.remote(submissions))
    assert (again.objects, again.drafts, again.refused) == (0, [], [])


def test_an_unreachable_remote_stores_nothing_and_keeps_the_marker(
    state: AppState, world: World, hub: RemoteHub
) -> None:
    hub.publish("Before the outage")
    first = _pull(state, world, hub.remote())
    wrong = Remote(api_root=hub.api_root, collection_id=GREEN, token="not-a-token")
    with pytest.raises(PullError, match="401"):
        _pull(state, world, wrong)
    with transaction(state.sessions) as session:
        markers = session.scalars(select(TaxiiPull.added_last)).all()
    assert markers == [first.added_last]


def test_the_command_pulls_and_a_rerun_imports_nothing(
    state: AppState, world: World, hub: RemoteHub, settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setenv("TOCSIN_DATABASE_URL", settings.effective_database_url)
    monkeypatch.setenv("TOCSIN_DATA_DIR", str(settings.data_dir))
    hub.publish("Pulled from the command line")
    token = hub.remote().token or ""
    args = ["taxii-pull", hub.api_root, "--collection", GREEN, "--org", str(world.ids["E1"]),
            "--token", token, "--json"]  # fmt: skip
    runner = CliRunner()
    first = runner.invoke(cli_app, args)
    assert first.exit_code == 0, first.output
    assert '"title": "Pulled from the command line"' in first.stdout
    second = runner.invoke(cli_app, args)
    assert second.exit_code == 0, second.output
    assert '"objects": 0' in second.stdout and '"drafts": []' in second.stdout
    assert _titles(state) == ["Pulled from the command line"]
    refused = runner.invoke(cli_app, [*args[:-3], "--token", "wrong"])
    assert refused.exit_code == 2


def test_the_periodic_job_pulls_each_source_at_its_own_period(
    state: AppState, world: World, hub: RemoteHub, clock: ManualClock
) -> None:
    assert [job.tick for job in node_jobs() if job.name == "taxii-pull"] == [taxii_pull.tick]
    source = TaxiiPullSource(url=hub.api_root, collection=GREEN, org=world.ids["E1"],
                             token=hub.remote().token, every_minutes=10)  # fmt: skip
    node = AppState(settings=state.settings.model_copy(update={"taxii_pull_sources": [source]}),
                    engine=state.engine, sessions=state.sessions, clock=clock)  # fmt: skip
    hub.publish("Seen by the periodic pull")
    assert [len(r.drafts) for r in taxii_pull.tick(node)] == [1]
    hub.publish("Published just after")
    clock.advance(timedelta(minutes=5))
    assert taxii_pull.tick(node) == []  # not due yet
    clock.advance(timedelta(minutes=5))
    assert [[d.title for d in r.drafts] for r in taxii_pull.tick(node)] == [
        ["Published just after"]
    ]


def test_an_updated_remote_alert_comes_whole_with_what_its_report_refers_to(
    state: AppState, world: World, hub: RemoteHub
) -> None:
    alert_id = hub.publish("Before the update")
    _pull(state, world, hub.remote())
    hub.update(alert_id, summary="The hypervisors were restored from backups.")
    later = _pull(state, world, hub.remote())  # only the report changed remotely
    assert [(d.title, d.indicators, d.attack_steps) for d in later.drafts] == [
        ("Before the update", 4, 2)
    ]
    with transaction(state.sessions) as session:  # the draft was rewritten, not duplicated
        [draft] = session.scalars(select(Alert)).all()
        assert draft.summary == "The hypervisors were restored from backups."


def test_two_nodes_pulling_at_once_import_once(
    state: AppState, world: World, hub: RemoteHub
) -> None:
    hub.publish("Pulled by two nodes")
    others: list[taxii_pull.PullReport] = []

    def another_node_pulls_meanwhile(response: httpx.Response) -> None:
        if not others:
            others.append(_pull(state, world, hub.remote()))

    org = world.ids["E1"]
    with httpx.Client(timeout=60, event_hooks={"response": [another_node_pulls_meanwhile]}) as c:
        mine = pull(sessions=state.sessions, remote=hub.remote(), org_id=org,
                    by=Actor(org_id=org), clock=state.clock, client=c)  # fmt: skip
    assert [len(r.drafts) for r in others] == [1]
    assert (mine.overtaken, mine.drafts) == (True, [])
    assert _titles(state) == ["Pulled by two nodes"]


def test_a_newer_version_of_a_published_import_is_a_draft_that_names_it(
    state: AppState, world: World, hub: RemoteHub
) -> None:
    remote_id = hub.publish("Before the update")
    [first] = _pull(state, world, hub.remote()).drafts
    org = world.ids["E1"]
    with transaction(state.sessions) as session:
        publication.publish(session=session, alert_id=first.id, org_id=org, by=Actor(org_id=org),
                            network=load_network(session=session), now=state.clock.now())  # fmt: skip
    hub.update(remote_id, summary="The hypervisors were restored from backups.")
    [newer] = _pull(state, world, hub.remote()).drafts
    assert newer.follows == first.id and newer.id != first.id
    with transaction(state.sessions) as session:  # the live alert waits for a review
        live = session.get(Alert, first.id)
        assert live is not None and live.status.is_live
        assert live.summary != "The hypervisors were restored from backups."
        draft = session.get(Alert, newer.id)
        assert draft is not None and draft.status.value == "draft"
        assert draft.summary == "The hypervisors were restored from backups."
    hub.update(remote_id, summary="Restored, and the entry point found.")
    [again] = _pull(state, world, hub.remote()).drafts  # the same draft, rewritten
    assert (again.id, again.follows) == (newer.id, None)
