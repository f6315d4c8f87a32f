"""The table of regulatory steps is configuration: a node reads its own from
TOCSIN_REGULATORY_RULES_FILE, refuses to start on a bad one, and its clocks follow it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.relay.factory import URL, declare
from tests.world import World
from tocsin.app import create_app
from tocsin.settings import Settings
from tocsin.state import REGULATORY_RULES_KEY, AppState, build_state

DECREE = [
    {"regime": "ars", "step": "declaration", "authority": "ARS", "source": "décret (test)",
     "needs_csp_health": True, "hours": 12},
    {"regime": "nis2", "step": "early_warning", "authority": "ANSSI", "source": "décret (test)",
     "nis2": ["essential", "important"], "hours": 24},
]  # fmt: skip


def test_a_node_reads_its_table_and_refuses_a_bad_one(tmp_path: Path) -> None:
    good = tmp_path / "rules.json"
    good.write_text(json.dumps(DECREE), encoding="utf-8")
    state = build_state(Settings(database_url="sqlite://", regulatory_rules_file=good))
    with state.sessions() as session:
        assert json.loads(session.info[REGULATORY_RULES_KEY]) == DECREE
    create_app(state=state)  # starts
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{"regime": "ars", "stage": "declaration"}]), encoding="utf-8")
    with pytest.raises(ValueError, match="regulatory rule 0"):
        create_app(Settings(database_url="sqlite://", regulatory_rules_file=bad))


def test_the_clocks_follow_the_configured_table(
    client: TestClient, world: World, state: AppState
) -> None:
    state.sessions.configure(info={REGULATORY_RULES_KEY: json.dumps(DECREE)})
    declared = declare(client, world, impacts={"personal_data": True})
    steps = client.get(f"{URL}/{declared['id']}/obligations", headers=world.auth("E1")).json()
    assert [(s["regime"], s["step"], s["due_at"], s["source"]) for s in steps] == [
        ("ars", "declaration", "2026-01-01T20:00:00Z", "décret (test)")
    ]
