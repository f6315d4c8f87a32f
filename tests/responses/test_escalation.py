"""Silence escalates: the director first, then the group and region relays; durable timers."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from tests.alerts.factory import publish
from tests.mailbox import html_of, text_of
from tests.responses.helpers import add_director
from tocsin.app import node_jobs
from tocsin.audit.models import AuditRecord
from tocsin.db import make_engine, make_sessionmaker, transaction
from tocsin.delivery.models import Channel, Delivery
from tocsin.delivery.outbox import payload_bodies
from tocsin.mailer import MemoryMailer
from tocsin.responses import escalation
from tocsin.responses.models import Escalation
from tocsin.state import AppState


@pytest.fixture
def mailer(state):
    sent = MemoryMailer()
    state.mailer = sent
    return sent


def _only_to(world, org):
    return {"kind": "explicit", "organisations": [str(world.ids[org])]}


def _escalations(client, world, alert, who="E1"):
    response = client.get(f"/api/v1/alerts/{alert['id']}/escalations", headers=world.auth(who))
    assert response.status_code == 200, response.text
    return response.json()


def _fired(client, world, alert):
    rows = _escalations(client, world, alert)
    return sorted(
        (world.name_of(r["organisation"]["id"]), r["obligation"], r["stage"])
        for r in rows
        if r["status"] == "fired"
    )


def _ack(client, world, alert, who):
    response = client.put(
        f"/api/v1/alerts/{alert['id']}/response", json={"acknowledged": True},
        headers=world.auth(who),
    )  # fmt: skip
    assert response.status_code == 200, response.text


def _events(state, org_id):
    """The escalation notices queued for an organisation's live stream, oldest first."""
    with transaction(state.sessions) as session:
        rows = session.scalars(
            select(Delivery).where(
                Delivery.recipient_org_id == org_id, Delivery.channel == Channel.live,
                Delivery.action == "escalation",
            ).order_by(Delivery.seq)
        ).all()  # fmt: skip
        bodies = payload_bodies(session, {r.payload_id for r in rows})
        return [bodies[r.payload_id] for r in rows]


def test_the_escalation_job_is_scheduled():
    assert "responses.escalation" in [job.name for job in node_jobs()]


def test_silence_goes_to_the_director_then_to_the_relays(client, world, state, clock, mailer):
    add_director(state, world, "E2")
    # Region R1: the groups and the region receive it and oversee; E2, E3, E4 must answer.
    alert = publish(client, world, "E1", severity="critical")
    clock.advance(timedelta(minutes=10))
    _ack(client, world, alert, "E3")
    clock.advance(timedelta(minutes=19))
    assert escalation.run_once(state) == []
    clock.advance(timedelta(minutes=2))  # 31 minutes after publication
    assert len(escalation.run_once(state)) == 2
    assert _fired(client, world, alert) == [
        (org, "acknowledge", "director") for org in ("E2", "E4")
    ]
    [message] = mailer.sent  # only E2 has a director
    assert message["To"] == "director.e2@test.example.org"
    assert message["Subject"].startswith("[TLP:AMBER] Org E2 n'a pas accusé réception d'une alerte")
    assert [e["stage"] for e in _events(state, world.ids["E2"])] == ["director"]
    assert escalation.run_once(state) == [] and len(mailer.sent) == 1  # nothing fires twice

    _ack(client, world, alert, "E4")  # acknowledging stops what follows
    clock.advance(timedelta(minutes=30))
    fired = escalation.run_once(state)
    assert sorted(world.name_of(n.org_id) for n in fired) == ["E2"]
    relays_of_e2 = next(
        r for r in _escalations(client, world, alert)
        if r["stage"] == "relays" and world.name_of(r["organisation"]["id"]) == "E2"
    )  # fmt: skip
    assert sorted(world.name_of(o["id"]) for o in relays_of_e2["notified"]) == ["G1", "R1"]
    to_relays = [m for m in mailer.sent[1:] if "Org E2" in m["Subject"]]
    assert sorted(m["To"] for m in to_relays) == [
        "so_g1@test.example.org",
        "so_r1@test.example.org",
    ]
    about = [(e["organisation_id"], e["stage"]) for e in _events(state, world.ids["G1"])]
    assert about == [(str(world.ids["E2"]), "relays")]  # a relay is told, never chased


def test_every_escalation_is_audited(client, world, state, clock, mailer):
    alert = publish(client, world, "E1", severity="critical", scope=_only_to(world, "E2"))
    clock.advance(timedelta(hours=2))
    escalation.run_once(state)
    escalation.run_once(state)
    with state.sessions() as session:
        audited = session.scalars(
            select(AuditRecord.details).where(AuditRecord.action == "response.escalate")
        ).all()
    escalations = [e for d in audited for e in d["escalations"]]
    assert sorted(e["stage"] for e in escalations) == ["director", "relays"]
    assert {e["alert_id"] for e in escalations} == {alert["id"]}


def test_acknowledging_stops_further_escalation(client, world, state, clock, mailer):
    alert = publish(client, world, "E1", severity="critical", scope=_only_to(world, "E2"))
    clock.advance(timedelta(minutes=31))
    escalation.run_once(state)
    _ack(client, world, alert, "E2")
    clock.advance(timedelta(days=1))
    escalation.run_once(state)
    assert _fired(client, world, alert) == [("E2", "acknowledge", "director")]
    assert [r for r in _escalations(client, world, alert) if r["status"] == "pending"] == [
        r for r in _escalations(client, world, alert) if r["obligation"] == "first_update"
        and r["status"] == "pending"
    ]  # fmt: skip


def test_a_missing_first_update_escalates_and_an_update_stops_it(
    client, world, state, clock, mailer
):
    add_director(state, world, "E2")
    alert = publish(client, world, "E1", severity="high", scope=_only_to(world, "E2"))
    clock.advance(timedelta(minutes=5))
    _ack(client, world, alert, "E2")
    clock.advance(timedelta(days=3))
    escalation.run_once(state)
    assert _fired(client, world, alert) == [("E2", "first_update", "director")]
    assert "n'a pas donné de nouvelles d'une alerte" in mailer.sent[-1]["Subject"]
    client.put(
        f"/api/v1/alerts/{alert['id']}/response", json={"update": "Patched the VPN."},
        headers=world.auth("E2"),
    )  # fmt: skip
    clock.advance(timedelta(days=10))
    escalation.run_once(state)
    assert _fired(client, world, alert) == [("E2", "first_update", "director")]
    assert all(r["status"] == "fired" for r in _escalations(client, world, alert))


def test_timers_follow_severity_changes(client, world, state, clock, mailer):
    alert = publish(client, world, "E1", severity="critical", scope=_only_to(world, "E2"))
    escalation.run_once(state)

    def pending_ack():
        rows = _escalations(client, world, alert)
        return [r["due_at"][:16] for r in rows if r["status"] == "pending"
                and r["obligation"] == "acknowledge"]  # fmt: skip

    assert pending_ack() == ["2026-01-01T08:30"]
    url = f"/api/v1/alerts/{alert['id']}"
    client.patch(url, json={"severity": "medium"}, headers=world.auth("E1"))
    escalation.run_once(state)
    assert pending_ack() == ["2026-01-03T08:00"]  # 48 hours from the first publication
    client.patch(url, json={"severity": "low"}, headers=world.auth("E1"))
    escalation.run_once(state)
    assert pending_ack() == []
    clock.advance(timedelta(days=30))
    assert escalation.run_once(state) == []


def test_a_closed_alert_no_longer_escalates(client, world, state, clock, mailer):
    alert = publish(client, world, "E1", severity="critical", scope=_only_to(world, "E2"))
    escalation.run_once(state)
    client.post(f"/api/v1/alerts/{alert['id']}/close", headers=world.auth("E1"))
    clock.advance(timedelta(days=5))
    assert escalation.run_once(state) == []
    assert _escalations(client, world, alert) == []


def test_a_red_alert_mail_carries_no_title(client, world, state, clock, mailer):
    add_director(state, world, "E2")
    publish(client, world, "E1", severity="critical", tlp="red", scope=_only_to(world, "E2"))
    clock.advance(timedelta(minutes=31))
    escalation.run_once(state)
    [message] = mailer.sent
    assert message["Subject"].startswith("[TLP:RED]")
    assert "Ransomware" not in message["Subject"] + text_of(message) + html_of(message)


def test_only_the_source_and_relays_see_escalations(client, world):
    alert = publish(client, world, "E1", severity="critical")
    url = f"/api/v1/alerts/{alert['id']}/escalations"
    assert client.get(url, headers=world.auth("G1")).status_code == 200
    assert client.get(url, headers=world.auth("E2")).status_code == 403
    assert client.get(url, headers=world.auth("E5")).status_code == 404


def _node(state: AppState, mailer: MemoryMailer) -> AppState:
    """Another node (or the same after a restart): a fresh engine on the same database."""
    assert state.settings.database_url is not None
    engine = make_engine(state.settings.database_url)
    return AppState(
        settings=state.settings, engine=engine, sessions=make_sessionmaker(engine),
        clock=state.clock, mailer=mailer,
    )  # fmt: skip


def test_timers_survive_a_restart(client, world, state, clock, mailer):
    add_director(state, world, "E2")
    alert = publish(client, world, "E1", severity="critical", scope=_only_to(world, "E2"))
    escalation.run_once(state)  # plans the timers, then the node "dies"
    state.engine.dispose()
    clock.advance(timedelta(minutes=31))
    restarted = _node(state, mailer)
    try:
        assert len(escalation.run_once(restarted)) == 1
        clock.advance(timedelta(minutes=30))
        again = _node(state, mailer)
        assert len(escalation.run_once(again)) == 1
        assert escalation.run_once(again) == [] and escalation.run_once(restarted) == []
        again.engine.dispose()
    finally:
        restarted.engine.dispose()
    assert _fired(client, world, alert) == [
        ("E2", "acknowledge", "director"),
        ("E2", "acknowledge", "relays"),
    ]
    assert len(mailer.sent) == 3  # the director, then one message to each relay person


def test_two_nodes_ticking_together_fire_each_escalation_once(client, world, state, clock):
    alert = publish(client, world, "E1", severity="critical")
    clock.advance(timedelta(minutes=31))
    mailers = [MemoryMailer(), MemoryMailer()]
    nodes = [_node(state, m) for m in mailers]
    fired: list[list[escalation.Notice]] = []
    start = threading.Barrier(2)

    def run(node: AppState) -> None:
        start.wait()
        try:
            fired.append(escalation.run_once(node))
        except OperationalError:  # SQLite: the other writer won; the next tick retries
            fired.append([])

    threads = [threading.Thread(target=run, args=(n,)) for n in nodes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    fired.append(escalation.run_once(nodes[0]))
    for node in nodes:
        node.engine.dispose()
    ids = [n.escalation_id for batch in fired for n in batch]
    assert len(ids) == len(set(ids)) == 3
    with state.sessions() as session:
        count = session.scalar(
            select(func.count()).select_from(Escalation).where(Escalation.status == "fired")
        )
    assert count == 3
    assert _fired(client, world, alert) == sorted(
        (org, "acknowledge", "director") for org in ("E2", "E3", "E4")
    )


def test_a_backlog_larger_than_a_batch_is_cleared_in_one_tick(
    client, world, state, clock, mailer, monkeypatch
):
    monkeypatch.setattr(escalation, "BATCH", 2)
    alert = publish(client, world, "E1", severity="critical")  # three establishments to answer
    clock.advance(timedelta(minutes=31))
    escalation.tick(state)
    assert len(_fired(client, world, alert)) == 3
    pending = [r for r in _escalations(client, world, alert) if r["status"] == "pending"]
    assert len(pending) == 6  # each responder's relays stage and first-update deadline
