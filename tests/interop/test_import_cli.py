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
    bundle.write_text(json.dumps(deep_pattern_bundle()))
    refused = runner.invoke(app, ["import", str(bundle), "--org", str(world.ids["E1"])])
    assert refused.exit_code == 2, refused.output
    assert "nested deeper" in refused.output
    assert refused.exception is None or isinstance(refused.exception, SystemExit)
    assert "Traceback" not in refused.output
