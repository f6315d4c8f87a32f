"""Backup then restore brings back exactly what was saved, on SQLite and PostgreSQL."""

from __future__ import annotations

from typer.testing import CliRunner

from tests.alerts.factory import publish
from tocsin.audit.service import verify
from tocsin.cli import app


def _titles(client, world):
    items = client.get("/api/v1/alerts", headers=world.auth("E1")).json()["items"]
    return sorted(a["title"] for a in items)


def test_restore_brings_back_the_saved_state(client, world, state, tmp_path, monkeypatch):
    monkeypatch.setenv("TOCSIN_DATABASE_URL", state.settings.effective_database_url)
    publish(client, world, "E1", title="before the backup")
    runner = CliRunner()
    saved = runner.invoke(app, ["backup", str(tmp_path / "hub.backup")])
    assert saved.exit_code == 0, saved.output
    publish(client, world, "E1", title="after the backup")
    state.engine.dispose()  # a restore needs the nodes stopped
    restored = runner.invoke(app, ["restore", "--yes", str(tmp_path / "hub.backup")])
    assert restored.exit_code == 0, restored.output
    assert _titles(client, world) == ["before the backup"]
    with state.sessions() as session:
        assert verify(session=session) == []


def test_restore_of_a_missing_file_is_a_clear_error(state, tmp_path, monkeypatch):
    monkeypatch.setenv("TOCSIN_DATABASE_URL", state.settings.effective_database_url)
    result = CliRunner().invoke(app, ["restore", "--yes", str(tmp_path / "nothing")])
    assert result.exit_code == 2 and "no backup file" in result.output
