"""A revision's fan-out: one record in the publish transaction, expanded after the commit.

The live events go out straight from it, before any per-recipient row exists; the expansion
is claimed with a lease, survives a crash between the commit and itself, and runs once.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from tests.alerts.factory import publish
from tests.delivery.helpers import deliveries, register_webhook

from tocsin.bus.base import Handler, Subscription
from tocsin.clock import ManualClock
from tocsin.db import transaction
from tocsin.delivery import dispatch_live, fanout, service
from tocsin.delivery.dispatch_live import GRACE, expand_due_once, live_events, spread
from tocsin.delivery.models import Channel, DeliveryStatus, RevisionFanout
from tocsin.delivery.receipts import ignore_deliveries
from tocsin.livehub import LiveHub
from tocsin.state import AppState

pytestmark = pytest.mark.usefixtures("quiet")

REGION_R1_BUT_E1 = {"R1", "G1", "G2", "E2", "E3", "E4"}
LEASE = timedelta(seconds=60)


def _defer(state: AppState) -> None:
    """Sessions of a dispatching node: nobody expands in the committing thread."""
    state.sessions.configure(info={**state.sessions.kw.get("info", {}), fanout.DEFERRED: True})


def _fanouts(state: AppState) -> list[RevisionFanout]:
    with transaction(state.sessions) as session:
        return list(session.scalars(select(RevisionFanout)))


class HubBus:
    """A bus that hands live messages to one node's hub at once, noting what the database
    held at that moment."""

    def __init__(self, state: AppState, hub: LiveHub) -> None:
        self.state, self.hub = state, hub
        self.seen_at_send: list[tuple[int, bool]] = []

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def ping(self) -> bool:
        return True

    async def subscribe(self, subject: str, handler: Handler) -> Subscription:
        raise NotImplementedError

    async def publish(self, subject: str, payload: bytes) -> None:
        expanded = any(f.expanded_at is not None for f in _fanouts(self.state))
        self.seen_at_send.append((len(deliveries(self.state, Channel.live)), expanded))
        for org_id, event in live_events(payload):
            self.hub.deliver(org_id, event)


def test_publishing_writes_one_fanout_and_no_delivery_in_its_transaction(
    client: Any, world: Any, state: AppState
) -> None:
    _defer(state)
    register_webhook(client, world, "E2", "http://127.0.0.1:9/hook")
    publish(client, world, "E1")
    [row] = _fanouts(state)
    assert row.expanded_at is None
    assert {world.name_of(uuid.UUID(t[0])) for t in row.targets} == REGION_R1_BUT_E1
    # At most the row that keeps SQLite's reserved live numbers free; no webhook row yet.
    assert len(deliveries(state)) <= 1
    assert deliveries(state, Channel.webhook) == []


async def test_a_crash_after_the_commit_loses_nothing_and_expanding_twice_writes_once(
    client: Any, world: Any, state: AppState, clock: ManualClock
) -> None:
    _defer(state)  # the publishing node dies after its commit: nobody expanded
    register_webhook(client, world, "E2", "http://127.0.0.1:9/hook")
    publish(client, world, "E1")
    assert await expand_due_once(state, ignore_deliveries) == 0  # still the publisher's
    clock.advance(GRACE + timedelta(seconds=1))
    assert await expand_due_once(state, ignore_deliveries) == 1
    rows = deliveries(state)
    assert {world.name_of(r.recipient_org_id) for r in rows if r.channel is Channel.live} == (
        REGION_R1_BUT_E1
    )
    assert len(deliveries(state, Channel.webhook)) == 1
    assert all(r.status is DeliveryStatus.pending for r in rows)  # the live dispatcher sends
    assert await expand_due_once(state, ignore_deliveries) == 0
    with transaction(state.sessions) as session:  # even forced, a second expansion adds none
        row = session.scalars(select(RevisionFanout)).one()
        assert fanout.expand(session, row, now=clock.now()) == []
    assert [r.event_id for r in deliveries(state)] == [r.event_id for r in rows]


def test_two_nodes_do_not_both_claim_one_fanout(
    client: Any, world: Any, state: AppState, clock: ManualClock
) -> None:
    _defer(state)
    publish(client, world, "E1")
    with transaction(state.sessions) as first, transaction(state.sessions) as second:
        taken = fanout.claim_fanouts(first, now=clock.now(), lease=LEASE, limit=5)
        first.commit()
        again = fanout.claim_fanouts(second, now=clock.now(), lease=LEASE, limit=5)
    assert len(taken) == 1
    assert again == []


async def test_streams_get_the_event_before_the_expansion_and_only_in_the_audience(
    client: Any, world: Any, state: AppState
) -> None:
    _defer(state)
    hub = LiveHub()
    inside = hub.connect(world.ids["E2"], "so_E2")
    outside = hub.connect(world.ids["E5"], "so_E5")  # another region: not in the audience
    bus = HubBus(state, hub)
    publish(client, world, "E1")
    ids = {row.id for row in _fanouts(state)}
    assert await spread(state, bus, ids, ignore_deliveries) == 1
    # One bus message for the revision, sent while no per-recipient live row existed yet
    # (but the one SQLite keeps its reserved numbers with) and before the expansion.
    [(live_rows, expanded)] = bus.seen_at_send
    assert live_rows <= 1 and not expanded
    event = await inside.next_event()
    assert event is not None and event.event == "alert.publish"
    assert outside.offer(event) and (await outside.next_event()) is event  # nothing queued before
    # After the expansion the rows hold the same ids, recorded as delivered: a replay
    # (Last-Event-ID) shows the event once, and the dispatcher sends nothing again.
    rows = deliveries(state, Channel.live)
    mine = [r for r in rows if r.recipient_org_id == world.ids["E2"]]
    assert [str(r.seq) for r in mine] == [event.id]
    assert all(r.status is DeliveryStatus.delivered for r in rows)
    assert {world.name_of(r.recipient_org_id) for r in rows} == REGION_R1_BUT_E1
    assert await spread(state, bus, ids, ignore_deliveries) == 0  # expanded: claimed by nobody


def test_a_replay_between_the_live_events_and_the_expansion_shows_them_once(
    client: Any, world: Any, state: AppState, clock: ManualClock
) -> None:
    _defer(state)
    publish(client, world, "E1")
    [row] = _fanouts(state)
    reserved = {uuid.UUID(org): seq for org, _payload, seq in row.targets}
    with transaction(state.sessions) as session:  # what `spread` records once the bus took them
        fanout.mark_live_sent(session, row.id, clock.now())

    def replayed(who: str) -> list[int]:
        with transaction(state.sessions) as session:
            found = service.replay(session=session, org_id=world.ids[who], after_seq=0, limit=50)
            return [delivery.seq for delivery, _body in found]

    assert replayed("E2") == [reserved[world.ids["E2"]]]
    assert replayed("E5") == []  # outside the audience
    with transaction(state.sessions) as session:  # the bus took them: the rows say delivered
        row = session.get(RevisionFanout, row.id)
        fanout.expand(session, row, now=clock.now(), sent_at=clock.now())
    assert replayed("E2") == [reserved[world.ids["E2"]]]
    assert replayed("E5") == []


async def test_revisions_committed_one_after_the_other_reach_a_stream_in_that_order(
    client: Any, world: Any, state: AppState, monkeypatch: pytest.MonkeyPatch
) -> None:
    _defer(state)
    hub = LiveHub()
    stream = hub.connect(world.ids["E2"], "so_E2")
    alert = publish(client, world, "E1")
    first = {row.id for row in _fanouts(state)}
    changed = client.patch(f"/api/v1/alerts/{alert['id']}", json={"summary": "Now contained."},
                           headers=world.auth("E1"))  # fmt: skip
    assert changed.status_code == 200, changed.text
    second = {row.id for row in _fanouts(state)} - first
    claim = dispatch_live._claim_fanouts

    def slow_for_the_first(state: AppState, ids: set[uuid.UUID]) -> Any:
        if ids == first:  # the first revision's claim is the slower one
            time.sleep(0.3)
        return claim(state, ids)

    monkeypatch.setattr(dispatch_live, "_claim_fanouts", slow_for_the_first)
    spreader = dispatch_live.Spreader(state, HubBus(state, hub), ignore_deliveries, hub)
    assert await asyncio.gather(spreader(first), spreader(second)) == [1, 1]
    got = [await stream.next_event(), await stream.next_event()]
    assert [e.event for e in got if e is not None] == ["alert.publish", "alert.update"]
