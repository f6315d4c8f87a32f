"""An exercise across region R1 on real servers: a tocsin node (uvicorn) with its live
streams, a webhook receiver and an SMTP server (aiosmtpd). Every envelope says `exercise`,
the scenario's indicators reach no feed, no TAXII collection, no correlation and no sighting,
acknowledgements are measured with the manual clock, silence escalates on the exercise's own
deadline, and ending it leaves posture evidence."""

from __future__ import annotations

import asyncio
import email
import json
from collections.abc import Iterator
from datetime import timedelta
from email.message import Message
from email.policy import default as default_policy
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from taxii2client.v21 import Server

from tests.alerts.factory import alert_body
from tests.delivery.helpers import deliveries
from tests.delivery.nodes import Node, open_stream
from tests.delivery.receivers import Receiver, free_port
from tests.exercises.helpers import exercise_body
from tocsin.clock import ManualClock
from tocsin.delivery.models import DeliveryStatus
from tocsin.interop.taxii.collections import tlp_collection_id
from tocsin.mailer import SMTPMailer
from tocsin.responses import escalation
from tocsin.sharing.tlp import TLP
from tocsin.state import AppState

PARTICIPANTS = {"E1", "E2", "E3", "E4"}  # the establishments of R1 (groups are relays)


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content, policy=default_policy))
        return "250 accepted"


@pytest.fixture
def inbox(state: AppState) -> Iterator[Inbox]:
    box = Inbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    state.mailer = SMTPMailer(host="127.0.0.1", port=port)
    yield box
    controller.stop()


@pytest.fixture
def node(state: AppState, world: Any, inbox: Inbox) -> Iterator[Node]:
    state.settings = state.settings.model_copy(update={"run_workers": True})
    started = Node(state).start()
    yield started
    started.stop()


def _call(node: Node, world: Any, who: str, method: str, path: str, **kw: Any) -> Any:
    with httpx.Client(base_url=node.url, headers=world.auth(who), timeout=180) as http:
        return http.request(method, path, **kw)


async def _api(node: Node, world: Any, who: str, method: str, path: str, **kw: Any) -> Any:
    return await asyncio.to_thread(_call, node, world, who, method, path, **kw)


async def _all_sent(state: AppState) -> None:
    async with asyncio.timeout(20):
        while any(r.status is DeliveryStatus.pending for r in deliveries(state)):
            await asyncio.sleep(0.05)


async def _arrived(inbox: Inbox, count: int, to: str = "so_e2@test.example.org") -> None:
    async with asyncio.timeout(20):
        while len([m for m in inbox.messages if m["To"] == to]) < count:
            await asyncio.sleep(0.05)


async def _run_the_exercise(
    node: Node, world: Any, state: AppState, receiver: Receiver
) -> dict[str, Any]:
    await _api(node, world, "E3", "POST", "/api/v1/webhooks", json={"url": receiver.url})
    await _api(node, world, "so_E2", "PUT", "/api/v1/me/notifications",
               json={"severities": ["critical"]})  # fmt: skip
    created = await _api(node, world, "R1", "POST", "/api/v1/exercises", json=exercise_body())
    assert created.status_code == 201, created.text
    started = await _api(
        node, world, "R1", "POST", f"/api/v1/exercises/{created.json()['id']}/start"
    )
    assert started.status_code == 200, started.text
    result: dict[str, Any] = started.json()
    return result


def _marked(envelope: dict[str, Any]) -> bool:
    return envelope["exercise"] is True and envelope["data"]["exercise"] is True


async def test_an_exercise_across_a_region_through_every_channel(
    node: Node, world: Any, state: AppState, clock: ManualClock, inbox: Inbox
) -> None:
    async with (
        Receiver() as receiver,
        open_stream(node.url, world.tokens["so_E2"]) as e2,
        open_stream(node.url, world.tokens["so_E4"]) as e4,
    ):
        exercise = await _run_the_exercise(node, world, state, receiver)
        [on_e2] = await e2.wait_for(1)
        [on_e4] = await e4.wait_for(1)
        await _all_sent(state)
        async with asyncio.timeout(20):
            await receiver.arrived.wait()
        await _arrived(inbox, 1)
    alert_id = exercise["alert_id"]
    # Every envelope is marked, and so is every title.
    hooked = json.loads(receiver.received[0].body)
    for envelope in (on_e2["data"], on_e4["data"], hooked):
        assert _marked(envelope) and envelope["data"]["id"] == alert_id
    # The national CERT also gets the audit checkpoints by mail: read the participant's.
    [mail] = [m for m in inbox.messages if m["To"] == "so_e2@test.example.org"]
    assert "EXERCICE · Rançongiciel simulé" in str(mail["Subject"])
    assert {r.recipient_org_id for r in deliveries(state)} >= {world.ids[o] for o in PARTICIPANTS}
    await _indicators_stay_out_of_every_feed(node, world, alert_id)
    await _acknowledgements_are_measured(node, world, state, clock, exercise)


async def _indicators_stay_out_of_every_feed(node: Node, world: Any, alert_id: str) -> None:
    for path in ("/api/v1/feeds/indicators.csv", "/api/v1/feeds/ipv4.txt",
                 "/api/v1/feeds/domain.txt", "/api/v1/feeds/rpz.zone"):  # fmt: skip
        feed = await _api(node, world, "E2", "GET", path)
        assert feed.status_code == 200 and "203.0.113.7" not in feed.text, path
        assert "evil.example.com" not in feed.text, path
    server = Server(f"{node.url}/taxii2/", user="x", password=world.tokens["so_E2"])
    root = await asyncio.to_thread(lambda: server.api_roots[0])
    amber = next(c for c in root.collections if c.id == tlp_collection_id(TLP.amber))
    objects = await asyncio.to_thread(amber.get_objects)
    assert objects.get("objects", []) == []
    sweep = await _api(node, world, "E2", "GET", "/api/v1/sweep/indicators")
    assert sweep.json()["items"] == []
    # A real alert carrying the same address correlates with no exercise.
    real = await _api(node, world, "E5", "POST", "/api/v1/alerts",
                      json=alert_body(scope={"kind": "national"}))  # fmt: skip
    await _api(node, world, "E5", "POST", f"/api/v1/alerts/{real.json()['id']}/publish")
    related = await _api(node, world, "E5", "GET", f"/api/v1/alerts/{real.json()['id']}/related")
    assert alert_id not in related.text
    scenario = (await _api(node, world, "E2", "GET", f"/api/v1/alerts/{alert_id}")).json()
    sighting = await _api(node, world, "E2", "POST", "/api/v1/sightings", json={
        "indicator_id": scenario["indicators"][1]["id"], "count": 3,
        "first_seen": "2026-01-01T07:00:00Z", "last_seen": "2026-01-01T07:30:00Z"})  # fmt: skip
    assert sighting.status_code == 422


async def _acknowledgements_are_measured(
    node: Node, world: Any, state: AppState, clock: ManualClock, exercise: dict[str, Any]
) -> None:
    alert_id, exercise_id = exercise["alert_id"], exercise["id"]
    for who, minutes in (("E2", 5), ("E3", 7)):  # E2 at +5 min, E3 at +12 min
        clock.advance(timedelta(minutes=minutes))
        ack = await _api(node, world, who, "PUT", f"/api/v1/alerts/{alert_id}/response",
                         json={"acknowledged": True})  # fmt: skip
        assert ack.status_code == 200, ack.text
    clock.advance(timedelta(minutes=4))  # +16 min: past the exercise's 15-minute deadline
    fired = await asyncio.to_thread(escalation.run_once, state)
    assert {world.name_of(n.org_id) for n in fired} == {"E1", "E4"}
    assert all(n.live is not None and n.live.details["exercise"] for n in fired)
    assert all(n.live is not None and n.live.subject.startswith("EXERCISE · ") for n in fired)
    report = (
        await _api(node, world, "R1", "GET", f"/api/v1/exercises/{exercise_id}/report")
    ).json()
    assert (report["participants"], report["received"], report["acknowledged"]) == (4, 4, 2)
    assert report["median_time_to_acknowledge_seconds"] == 510.0  # between 300 and 720
    rows = {world.name_of(r["organisation"]["id"]): r for r in report["rows"]}
    assert rows["E2"]["time_to_acknowledge_seconds"] == 300.0
    assert rows["E3"]["time_to_acknowledge_seconds"] == 720.0
    assert rows["E4"]["acknowledged_at"] is None and rows["E4"]["escalations"] == 1
    assert rows["E2"]["first_channel"] in ("live", "email")
    ended = await _api(node, world, "R1", "POST", f"/api/v1/exercises/{exercise_id}/end")
    assert ended.json()["status"] == "ended"
    for reader in ("E2", "R1"):  # the establishment and its relay see the evidence
        posture = await _api(node, world, reader, "GET",
                             f"/api/v1/posture/organisations/{world.ids['E2']}")  # fmt: skip
        [line] = [x for x in posture.json()["lines"] if x["item"]["key"] == "crisis_exercise"]
        assert line["status"] == "done" and "5 min" in line["evidence"]
        assert line["evidenced_on"] is not None
    silent = await _api(
        node, world, "E4", "GET", f"/api/v1/posture/organisations/{world.ids['E4']}"
    )
    [line] = [x for x in silent.json()["lines"] if x["item"]["key"] == "crisis_exercise"]
    assert line["status"] == "partial"
