"""The audit trail: every change recorded, chained, verifiable, readable by the right people."""

from __future__ import annotations

import json

from sqlalchemy import text
from typer.testing import CliRunner

from tests.alerts.factory import publish
from tocsin.audit.service import verify
from tocsin.cli import app


def _actions(client, world, who, **params):
    response = client.get(
        "/api/v1/audit", params={"limit": 1000, **params}, headers=world.auth(who)
    )
    assert response.status_code == 200, response.text
    return [r["action"] for r in response.json()["items"]]


def test_alert_lifecycle_is_recorded_and_the_chain_verifies(client, world, state):
    alert = publish(client, world, "E1")
    client.post(f"/api/v1/alerts/{alert['id']}/close", headers=world.auth("E1"))
    actions = _actions(client, world, "admin", action=None)
    assert {"alert.create", "alert.publish", "alert.close", "token.issue"} <= set(actions)
    with state.sessions() as session:
        assert verify(session=session) == []


def _tamper(state, statement: str) -> list:
    with state.engine.begin() as connection:
        connection.execute(text(statement))
    with state.sessions() as session:
        return verify(session=session)


def test_an_edited_record_is_detected(client, world, state):
    publish(client, world, "E1")
    breaks = _tamper(
        state, "UPDATE audit_records SET action = 'alert.nothing' WHERE action = 'alert.publish'"
    )
    assert [b.reason for b in breaks] == ["digest does not match the content: record edited"]


def test_a_deleted_record_is_detected(client, world, state):
    publish(client, world, "E1")
    with state.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_concerns WHERE seq IN (SELECT seq FROM "
                                "audit_records WHERE action = 'alert.create')"))  # fmt: skip
    breaks = _tamper(state, "DELETE FROM audit_records WHERE action = 'alert.create'")
    assert [b.reason for b in breaks] == ["previous digest does not match: a record was removed"]


def test_audit_verify_command_exits_1_on_tampering(client, world, state, monkeypatch):
    publish(client, world, "E1")
    monkeypatch.setenv("TOCSIN_DATABASE_URL", state.settings.effective_database_url)
    runner = CliRunner()
    assert runner.invoke(app, ["audit", "verify"]).exit_code == 0
    _tamper(state, "UPDATE audit_records SET source_ip = '10.6.6.6' WHERE seq = 3")
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1 and "record 3" in result.output


def test_sensitive_reads_are_recorded_for_amber_strict(client, world):
    alert = publish(client, world, "E1", tlp="amber+strict")
    client.get(f"/api/v1/alerts/{alert['id']}", headers=world.auth("E2"))
    client.get(f"/api/v1/alerts/{alert['id']}", headers=world.auth("E1"))
    reads = [a for a in _actions(client, world, "admin") if a == "alert.read"]
    assert reads == ["alert.read"]


def test_directors_read_their_own_trail_relays_their_perimeter(client, world, state):
    from tocsin.audit.service import SYSTEM
    from tocsin.db import transaction
    from tocsin.network import service
    from tocsin.network.models import Role, Scope

    with transaction(state.sessions) as session:
        user = service.create_user(session=session, email="dir@e2.example.org", display_name="D",
                                   organisation_id=world.ids["E2"], roles=[Role.director],
                                   now=state.clock.now(), actor=SYSTEM)  # fmt: skip
        _, secret = service.issue_token(session=session, organisation_id=world.ids["E2"],
                                        user_id=user.id, name="d", scopes=[Scope.read],
                                        now=state.clock.now(), actor=SYSTEM)  # fmt: skip
    publish(client, world, "E1")
    director = {"Authorization": f"Bearer {secret}"}
    own = client.get("/api/v1/audit", params={"limit": 1000}, headers=director).json()["items"]
    assert own and all(str(world.ids["E2"]) in r["concerns"] for r in own)
    assert "alert.publish" not in [r["action"] for r in own]
    assert "alert.publish" in _actions(client, world, "G1")
    assert "alert.publish" not in _actions(client, world, "G3")
    assert client.get("/api/v1/audit", headers=world.auth("E2")).status_code == 403


def test_export_as_json_lines(client, world):
    publish(client, world, "E1")
    response = client.get("/api/v1/audit/export", headers=world.auth("admin"))
    assert response.headers["content-type"].startswith("application/x-ndjson")
    records = [json.loads(line) for line in response.text.splitlines()]
    assert [r["seq"] for r in records] == sorted(r["seq"] for r in records)
    assert records[1]["prev_digest"] == records[0]["digest"]
