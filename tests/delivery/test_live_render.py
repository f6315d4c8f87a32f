"""Every node gets every live bus message; it renders only the events of the organisations
it holds a stream for, and those streams still get exactly their events."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from tocsin.bus.memory import MemoryBus
from tocsin.delivery import dispatch_live
from tocsin.livehub import LiveHub


def _message(orgs: list[uuid.UUID], payload: uuid.UUID) -> bytes:
    at = datetime(2026, 11, 27, 23, 0, tzinfo=UTC)
    events = [(org, n + 1, uuid.uuid4(), "publish", 1, at, payload) for n, org in enumerate(orgs)]
    bodies = {payload: {"id": str(payload), "title": "Ransomware", "exercise": False}}
    [message] = dispatch_live._messages(events, bodies)
    return json.dumps(message).encode()


async def test_a_node_renders_only_the_events_of_the_organisations_it_holds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rendered: list[str] = []
    real = dispatch_live.envelope

    def counting(**fields: Any) -> dict[str, Any]:
        rendered.append(fields["event_id"])
        return real(**fields)

    monkeypatch.setattr(dispatch_live, "envelope", counting)
    orgs = [uuid.uuid4() for _ in range(50)]
    hub, bus = LiveHub(), MemoryBus()
    mine = hub.connect(orgs[7], "browser")
    subscription = await dispatch_live.relay_to_hub(bus, "tocsin", hub)
    await bus.publish(dispatch_live.live_subject("tocsin"), _message(orgs, uuid.uuid4()))
    event = await asyncio.wait_for(mine.next_event(), timeout=5)
    await subscription.unsubscribe()
    assert event is not None and event.id == "8"
    assert json.loads(event.data)["data"]["title"] == "Ransomware"
    assert len(rendered) == 1  # not one per recipient of the message
