"""The regulatory trail is part of the audit chain and exports as one file per incident."""

from __future__ import annotations

import json
from datetime import timedelta

from fastapi.testclient import TestClient

from tests.obligations.helpers import set_status
from tests.relay.factory import URL, declare
from tests.world import World
from tocsin.clock import ManualClock
from tocsin.obligations.reminders import reminder_tick
from tocsin.state import AppState


def test_submissions_delays_and_reminders_export_in_chain_order(
    client: TestClient, world: World, state: AppState, clock: ManualClock
) -> None:
    set_status(state, world, "E1", "essential")
    declared = declare(client, world)
    other = declare(client, world, title="Another incident")
    clock.advance(timedelta(hours=25))
    reminder_tick(state)
    steps = {o["step"]: o for o in client.get(f"{URL}/{declared['id']}/obligations",
                                                headers=world.auth("E1")).json()}  # fmt: skip
    digest = "ab" * 32
    client.post(f"{URL}/{declared['id']}/obligations/{steps['early_warning']['id']}/submit",
                json={"late_reason": "Astreinte injoignable", "reference": "EW-9",
                      "file_name": "alerte.pdf", "file_sha256": digest},
                headers=world.auth("E1"))  # fmt: skip
    answer = client.get(f"{URL}/{declared['id']}/regulatory-trail", headers=world.auth("R1"))
    assert answer.status_code == 200
    assert "attachment" in answer.headers["content-disposition"]
    trail = json.loads(answer.content)
    actions = [r["action"] for r in trail["audit"]]
    assert actions[0] == "declaration.create" and actions[-1] == "obligation.submit"
    assert "obligation.remind" in actions
    submitted = trail["audit"][-1]["details"]
    assert submitted["late_reason"] == "Astreinte injoignable"
    assert submitted["file_sha256"] == digest and submitted["reference"] == "EW-9"
    seqs = [r["seq"] for r in trail["audit"]]
    assert seqs == sorted(seqs)
    assert all(r["prev_digest"] and r["digest"] for r in trail["audit"])
    assert all(other["id"] not in json.dumps(r) for r in trail["audit"])
    early = next(o for o in trail["obligations"] if o["step"] == "early_warning")
    assert early["status"] == "late" and early["reference"] == "EW-9"
    hidden = client.get(f"{URL}/{declared['id']}/regulatory-trail", headers=world.auth("E4"))
    assert hidden.status_code == 404
