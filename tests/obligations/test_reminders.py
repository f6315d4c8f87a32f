"""The regulatory clocks escalate: reminders before each due time to the declarant's
director and security officer, its relays told once a step is overdue (ManualClock)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.obligations.helpers import set_status
from tests.relay.factory import URL, declare
from tests.world import World
from tocsin.app import node_jobs
from tocsin.clock import ManualClock
from tocsin.delivery.models import Delivery, DeliveryPayload
from tocsin.mailer import MemoryMailer
from tocsin.obligations.reminders import REMINDER_JOB, reminder_tick
from tocsin.state import AppState


def _notices(state: AppState) -> list[tuple[str, str, Any]]:
    """(recipient organisation, event, step) of every declaration notice in the outbox."""
    with state.sessions() as session:
        rows = session.execute(
            select(Delivery.recipient_org_id, DeliveryPayload.body)
            .join(DeliveryPayload, DeliveryPayload.id == Delivery.payload_id)
            .where(Delivery.action == "declaration", Delivery.channel == "live")
        )
        return [(str(org), body["event"], body.get("step")) for org, body in rows
                if body["event"].startswith("obligation")]  # fmt: skip


def test_reminders_at_half_time_then_the_relays_when_a_step_is_overdue(
    client: TestClient, world: World, state: AppState, clock: ManualClock
) -> None:
    assert REMINDER_JOB in node_jobs()
    mailer = state.mailer
    assert isinstance(mailer, MemoryMailer)
    set_status(state, world, "E1", "essential")
    declared = declare(client, world, impacts={"personal_data": False})  # aware at 08:00
    clock.advance(timedelta(hours=11, minutes=59))
    assert reminder_tick(state) == []

    clock.advance(timedelta(minutes=1))  # 20:00: half of the 24 hours
    first = reminder_tick(state)
    assert sorted(r.keys[0] for r in first) == ["at:0.5", "at:0.5"]  # early warning, ARS
    e1 = str(world.ids["E1"])
    assert sorted(_notices(state)) == [(e1, "obligation_due", "declaration"),
                                       (e1, "obligation_due", "early_warning")]  # fmt: skip
    assert {m["To"] for m in mailer.sent} == {"so_e1@test.example.org"}
    assert any("NIS2 early warning" in m["Subject"] for m in mailer.sent)
    assert reminder_tick(state) == []  # once only

    steps = {o["step"]: o for o in client.get(f"{URL}/{declared['id']}/obligations",
                                                headers=world.auth("E1")).json()}  # fmt: skip
    sent = client.post(f"{URL}/{declared['id']}/obligations/{steps['early_warning']['id']}/submit",
                       json={}, headers=world.auth("E1"))  # fmt: skip
    assert sent.status_code == 200
    clock.advance(timedelta(hours=12, minutes=1))  # 08:01 the next day: the ARS step is overdue
    mailer.sent.clear()
    late = reminder_tick(state)
    assert [(r.keys) for r in late] == [["before:60m", "overdue"]]
    told = {org for org, event, step in _notices(state) if event == "obligation_overdue"}
    assert told == {e1, *(str(world.ids[o]) for o in ("G1", "R1", "N"))}
    to = {a.strip() for m in mailer.sent for a in m["To"].split(",")}
    assert {"so_e1@test.example.org", "so_r1@test.example.org"} <= to
    assert "Overdue" in mailer.sent[0]["Subject"]


def test_a_moved_clock_reminds_afresh_and_reminders_are_configurable(
    client: TestClient, world: World, state: AppState, clock: ManualClock
) -> None:
    state.settings.obligation_reminder_fractions = [0.25]
    state.settings.obligation_reminder_minutes_before = []
    declared = declare(client, world, impacts={"personal_data": False})
    clock.advance(timedelta(hours=6))
    assert [r.keys for r in reminder_tick(state)] == [["at:0.25"]]
    client.patch(f"{URL}/{declared['id']}", json={"aware_at": "2026-01-01T09:00:00Z"},
                 headers=world.auth("E1"))  # fmt: skip
    assert reminder_tick(state) == []  # 6 h after 09:00 is 15:00
    clock.advance(timedelta(hours=1))
    assert [r.keys for r in reminder_tick(state)] == [["at:0.25"]]
