"""The live channel: outbox rows go out on the bus; every node hands them to its local streams.

A dispatcher claims due live rows, checks again that each recipient may still see the alert,
and publishes them in a few compact bus messages (each rendered payload once, then the list
of (organisation, sequence, event id) that use it). Every node, this one included, subscribes
to `<stream>.live.>` and delivers each event to the open streams of that organisation. The
row is `delivered` once the bus took it; a stream that was closed at that moment replays it
from the rows with `Last-Event-ID`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from tocsin.bus.base import Bus, Subscription
from tocsin.db import transaction
from tocsin.delivery import fanout, outbox
from tocsin.delivery.content import envelope, event_type, is_exercise
from tocsin.delivery.models import Channel, Delivery, RevisionFanout
from tocsin.delivery.receipts import OnDelivered, report_delivered
from tocsin.delivery.visibility import still_visible
from tocsin.errors import BusUnavailable
from tocsin.livehub import LiveEvent, LiveHub
from tocsin.state import AppState

log = logging.getLogger(__name__)

BATCH = 2000
LEASE = timedelta(seconds=30)
MAX_MESSAGE_BYTES = 512 * 1024
FANOUT_LEASE = timedelta(seconds=60)
FANOUT_BATCH = 10
# A fresh fan-out is its publishing node's to send and expand; others take it after this.
GRACE = timedelta(seconds=10)

Messages = list[dict[str, Any]]


def live_subject(stream: str) -> str:
    return f"{stream}.live.events"


# (organisation, seq, event id, action, revision, created at, payload id) of one live event
Event = tuple[uuid.UUID, int, uuid.UUID, str, int, datetime, uuid.UUID]


def _claim(state: AppState) -> tuple[list[dict[str, Any]], list[int], list[int]]:
    now = state.clock.now()
    with transaction(state.sessions) as session:
        rows = outbox.claim(session, channel=Channel.live, now=now, lease=LEASE, limit=BATCH)
        if not rows:
            return [], [], []
        visible, hidden = still_visible(session, rows)
        outbox.mark_skipped(session, [r.seq for r in hidden], "no longer visible")
        bodies = outbox.payload_bodies(session, {r.payload_id for r in visible})
        events = [_event_of(row) for row in visible]
        return _messages(events, bodies), [r.seq for r in visible], [r.seq for r in hidden]


def _event_of(row: Delivery) -> Event:
    return (row.recipient_org_id, row.seq, row.event_id, row.action, row.revision,
            row.created_at, row.payload_id)  # fmt: skip


def _messages(events: list[Event], bodies: dict[uuid.UUID, dict[str, Any]]) -> list[dict[str, Any]]:
    """Group events into bus messages that stay under the size limit."""
    messages: list[dict[str, Any]] = []
    current: dict[str, Any] = {"payloads": {}, "events": []}
    size = 0
    for org, seq, event_id, action, revision, created_at, payload_id in events:
        key = str(payload_id)
        if key not in current["payloads"]:
            body = bodies[payload_id]
            size += len(json.dumps(body))
            current["payloads"][key] = body
        current["events"].append(
            [str(org), seq, str(event_id), action, revision, created_at.isoformat(), key]
        )
        size += 120
        if size > MAX_MESSAGE_BYTES:
            messages.append(current)
            current, size = {"payloads": {}, "events": []}, 0
    if current["events"]:
        messages.append(current)
    return messages


def _settle(
    state: AppState, delivered: list[int], released: list[int], reason: str,
    on_delivered: OnDelivered,
) -> None:  # fmt: skip
    now = state.clock.now()
    with transaction(state.sessions) as session:
        outbox.mark_delivered(session, delivered, now)
        outbox.release(session, released, reason)
        report_delivered(session=session, seqs=delivered, at=now, on_delivered=on_delivered)


async def drain_live_once(state: AppState, bus: Bus, on_delivered: OnDelivered) -> int:
    """Send one batch of due live deliveries through the bus; returns how many went out."""
    messages, seqs, _hidden = await asyncio.to_thread(_claim, state)
    if not seqs:
        return 0
    subject = live_subject(state.settings.bus_stream)
    try:
        for message in messages:
            await bus.publish(subject, json.dumps(message, separators=(",", ":")).encode())
    except BusUnavailable as exc:
        # Some messages may have gone out: receivers de-duplicate on the sequence number.
        log.warning("live deliveries wait for the bus: %s", exc)
        await asyncio.to_thread(_settle, state, [], seqs, f"bus unavailable: {exc}", on_delivered)
        return 0
    await asyncio.to_thread(_settle, state, seqs, [], "", on_delivered)
    return len(seqs)


def _claim_fanouts(state: AppState, ids: set[uuid.UUID]) -> list[tuple[uuid.UUID, Messages]]:
    now = state.clock.now()
    with transaction(state.sessions) as session:
        claimed = fanout.claim_fanouts(
            session, now=now, lease=FANOUT_LEASE, limit=len(ids), ids=ids
        )
        for row in claimed:  # before the bus message: a replay meanwhile finds the events
            fanout.mark_live_sent(session, row.id, now)
        bodies = outbox.payload_bodies(
            session, {payload for f in claimed for _org, payload, _seq in fanout.target_list(f)}
        )
        return [(f.id, _messages(_fanout_events(f), bodies)) for f in claimed]


def _fanout_events(row: RevisionFanout) -> list[Event]:
    """The live event of each recipient of a revision: its audience was decided by the
    sharing rules in the transaction that just committed."""
    return [
        (org, seq, fanout.live_event_id(row, org), row.action, row.revision, row.created_at,
         payload)
        for org, payload, seq in fanout.target_list(row)
    ]  # fmt: skip


def _expand(
    state: AppState, fanout_id: uuid.UUID, sent_at: datetime | None, on_delivered: OnDelivered
) -> None:
    now = state.clock.now()
    with transaction(state.sessions) as session:
        row = session.get(RevisionFanout, fanout_id)
        if row is not None and row.expanded_at is None:
            delivered = fanout.expand(session, row, now=now, sent_at=sent_at)
            report_delivered(session=session, seqs=delivered, at=now, on_delivered=on_delivered)


async def spread(
    state: AppState, bus: Bus, ids: set[uuid.UUID], on_delivered: OnDelivered,
    hub: LiveHub | None = None,
) -> int:  # fmt: skip
    """Right after a publish commits: send the live events of its fan-outs straight from
    them (one bus message per revision up to 512 KB, every node hands them to its streams),
    then, once this node's streams (`hub`) have taken them, expand them into deliveries;
    returns how many fan-outs this node took."""
    claimed = await asyncio.to_thread(_claim_fanouts, state, ids)
    subject = live_subject(state.settings.bus_stream)
    for fanout_id, messages in claimed:
        try:
            for message in messages:
                await bus.publish(subject, json.dumps(message, separators=(",", ":")).encode())
            sent_at: datetime | None = state.clock.now()
        except BusUnavailable as exc:  # the expanded live rows stay pending for the dispatcher
            log.warning("live events of a revision wait for the bus: %s", exc)
            sent_at = None
        if hub is not None and sent_at is not None:
            await hub.settled()
        await asyncio.to_thread(_expand, state, fanout_id, sent_at, on_delivered)
    return len(claimed)


class Spreader:
    """Spreads the fan-outs committed on this node one commit at a time, in commit order: two
    revisions of an alert committed a moment apart (a publish, then its closing) must reach
    each stream in that order, whichever claim or bus send happens to be quicker."""

    def __init__(
        self, state: AppState, bus: Bus, on_delivered: OnDelivered, hub: LiveHub | None
    ) -> None:
        self.state, self.bus, self.on_delivered, self.hub = state, bus, on_delivered, hub
        self._turn = asyncio.Lock()  # first come, first served

    async def __call__(self, ids: set[uuid.UUID]) -> int:
        async with self._turn:
            return await spread(self.state, self.bus, ids, self.on_delivered, self.hub)


def _expand_due(state: AppState, on_delivered: OnDelivered) -> int:
    now = state.clock.now()
    with transaction(state.sessions) as session:
        claimed = fanout.claim_fanouts(
            session, now=now, lease=FANOUT_LEASE, limit=FANOUT_BATCH, older_than=now - GRACE
        )
    for row in claimed:
        _expand(state, row.id, None, on_delivered)
    return len(claimed)


async def expand_due_once(state: AppState, on_delivered: OnDelivered) -> int:
    """Expand fan-outs their publishing node left (it stopped after the commit); their live
    rows stay pending for the live dispatcher. Returns how many."""
    return await asyncio.to_thread(_expand_due, state, on_delivered)


def live_events(
    message: bytes, held: Callable[[uuid.UUID], bool] | None = None
) -> list[tuple[uuid.UUID, LiveEvent]]:
    """Unpack one bus message into (organisation, SSE event) pairs; only those of the
    organisations `held` accepts (this node's open streams) when given. Every node gets every
    message: rendering the events of organisations it holds no stream for would cost each
    node the whole fan-out."""
    decoded = json.loads(message)
    payload_text: dict[str, str] = {}
    events = []
    for org, seq, event_id, action, revision, timestamp, key in decoded["events"]:
        org_id = uuid.UUID(org)
        if held is not None and not held(org_id):
            continue
        if key not in payload_text:
            payload_text[key] = json.dumps(decoded["payloads"][key])
        head = envelope(
            event_id=event_id, action=action, revision=revision, timestamp=timestamp, alert={},
            exercise=is_exercise(decoded["payloads"][key]),
        )  # fmt: skip
        del head["data"]
        # Splice the shared payload text in rather than encoding it again for every recipient.
        data = json.dumps(head)[:-1] + ', "data": ' + payload_text[key] + "}"
        events.append((org_id, LiveEvent(id=str(seq), event=event_type(action), data=data)))
    return events


async def relay_to_hub(bus: Bus, stream: str, hub: LiveHub) -> Subscription:
    """Subscribe this node's hub to the live events published by any node."""

    async def handle(_subject: str, payload: bytes) -> None:
        for org_id, event in live_events(payload, hub.holds):
            hub.deliver(org_id, event)

    return await bus.subscribe(f"{stream}.live.>", handle)
