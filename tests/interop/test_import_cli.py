"""The `tocsin import` and `tocsin export` commands, on the test database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.alerts.factory import publish
from tests.interop.test_misp import foreign_event
from tests.interop.test_stix_export import assert_valid
from tests.world import World
from tocsin.cli import app
from tocsin.settings import Settings


@pytest.fixture
def runner(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("TOCSIN_DATABASE_URL", settings.effective_database_url)
    monkeypatch.setenv("TOCSIN_DATA_DIR", str(settings.data_dir))
    return CliRunner()


def test_import_then_export_from_the_command_line(
    runner: CliRunner, client: TestClient, world: World, tmp_path: Path
) -> None:
    event_file = tmp_path / "event.json"
    event_file.write_text(json.dumps(foreign_event()))
    dry = runner.invoke(app, ["import", str(event_file), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert json.loads(dry.stdout.splitlines()[-1])["drafts"][0]["id"] is None
    assert runner.invoke(app, ["import", str(event_file)]).exit_code == 2  # --org needed
    stored = runner.invoke(app, ["import", str(event_file), "--org", str(world.ids["E1"])])
    assert stored.exit_code == 0, stored.output
    draft_id = json.loads(stored.stdout.splitlines()[-1])["drafts"][0]["id"]
    mine = client.get(f"/api/v1/alerts/{draft_id}", headers=world.auth("E1")).json()
    assert mine["title"] == "Phishing wave on hospitals"

    alert = publish(client, world, "E1", tlp="green", anonymous=True)
    as_peer = runner.invoke(app, ["export", alert["id"], "--format", "stix",
                                  "--org", str(world.ids["E5"])])  # fmt: skip
    assert as_peer.exit_code == 0, as_peer.output
    bundle = json.loads(as_peer.stdout)
    assert_valid(bundle)
    assert "Org E1" not in as_peer.stdout  # anonymous to a peer
    as_source = runner.invoke(app, ["export", alert["id"], "--format", "misp"])
    assert json.loads(as_source.stdout)["Event"]["Orgc"]["name"] == "Org E1"
    bad = tmp_path / "bad.json"
    bad.write_text('{"type": "bundle", "id": "bundle--x", "objects": []}')
    refused = runner.invoke(app, ["import", str(bad), "--dry-run"])
    assert refused.exit_code == 2
    assert "bundle id" in refused.output


def test_a_deeply_nested_pattern_is_a_clear_refusal_not_a_traceback(
    runner: CliRunner, world: World, tmp_path: Path
) -> None:
    from tests.interop.test_stix_import import deep_pattern_bundle

    bundle = tmp_path / "deep.json"
    deep = deep_pattern_bundle()
    bundle.write_text(json.dumps({**deep, "objects": deep["objects"][:1]}))  # nothing else
    refused = runner.invoke(app, ["import", str(bundle), "--org", str(world.ids["E1"])])
    assert refused.exit_code == 2, refused.output
    assert "nested deeper" in refused.output
    assert refused.exception is None or isinstance(refused.exception, SystemExit)
    assert "Traceback" not in refused.output


def test_import_keeps_the_valid_part_and_reports_each_refusal(
    runner: CliRunner, world: World, tmp_path: Path
) -> None:
    event = foreign_event()
    event["Event"]["Attribute"][1]["value"] = "not a domain!"
    path = tmp_path / "event.json"
    path.write_text(json.dumps(event))
    org = ["--org", str(world.ids["E1"])]
    machine = runner.invoke(app, ["import", str(path), "--json", *org])
    assert machine.exit_code == 0, machine.output
    report = json.loads(machine.stdout)
    assert len(report["drafts"]) == 1 and report["drafts"][0]["id"]
    [refusal] = report["refused"]
    assert refusal["object"] == "Attribute[1] 0a1b2c3d-0000-4000-8000-000000000002"
    assert "domain" in refusal["reason"]
    human = runner.invoke(app, ["import", str(path), "--dry-run"])
    assert human.exit_code == 0 and "1 refused" in human.output
    strict = runner.invoke(app, ["import", str(path), "--dry-run", "--strict", "--json"])
    assert strict.exit_code == 2
    assert json.loads(strict.stdout.splitlines()[0])["refused"][0]["object"] == refusal["object"]
    nothing = tmp_path / "nothing.json"
    bundle_id = "bundle--00000000-0000-4000-8000-000000000000"
    only_bad = {"type": "bundle", "id": bundle_id, "objects": [{"type": "indicator", "id": "x"}]}
    nothing.write_text(json.dumps(only_bad))
    refused_all = runner.invoke(app, ["import", str(nothing), "--dry-run"])
    assert refused_all.exit_code == 2 and "objects[0] x" in refused_all.output
