"""A publication large enough for the bulk path (COPY on PostgreSQL) writes the same outbox,
responses and audience as a small one, and the dispatchers claim its rows."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from tests.alerts.factory import publish
from tests.delivery.helpers import deliveries

from tocsin.alerts.models import AlertAudience
from tocsin.audit.service import SYSTEM
from tocsin.bulk import COPY_FROM_ROWS
from tocsin.db import transaction
from tocsin.delivery import outbox
from tocsin.delivery.models import Channel, DeliveryStatus
from tocsin.network import service as network
from tocsin.network.models import OrgKind
from tocsin.responses.models import AlertResponse
from tocsin.state import AppState

REGION_R1_BUT_E1 = {"R1", "G1", "G2", "E2", "E3", "E4"}

pytestmark = pytest.mark.usefixtures("quiet")  # live rows only: nobody opted in to mail


def _many_establishments(state: AppState, world: Any, count: int) -> set[uuid.UUID]:
    with transaction(state.sessions) as session:
        return {
            network.create_organisation(
                session=session, name=f"Hospital {n}", kind=OrgKind.establishment,
                now=state.clock.now(), actor=SYSTEM, finess=f"69{n:07d}",
                group_id=world.ids["G1"], region_id=world.ids["R1"],
            ).id
            for n in range(count)
        }  # fmt: skip


def test_a_large_publication_writes_and_dispatches_like_a_small_one(
    client: Any, world: Any, state: AppState
) -> None:
    added = _many_establishments(state, world, COPY_FROM_ROWS + 20)
    alert = publish(client, world, "E1")
    rows = deliveries(state)
    expected = added | {world.ids[name] for name in REGION_R1_BUT_E1}
    assert {r.recipient_org_id for r in rows} == expected
    assert len(rows) == len(expected)
    assert all(r.channel is Channel.live and r.status is DeliveryStatus.pending for r in rows)
    assert all(r.attempts == 0 and r.revision == 1 and r.action == "publish" for r in rows)
    assert {r.event_id for r in rows} == {
        outbox.event_id(uuid.UUID(alert["id"]), 1, r.recipient_org_id, Channel.live,
                        r.recipient_org_id)
        for r in rows
    }  # fmt: skip
    with transaction(state.sessions) as session:
        responders = set(session.scalars(select(AlertResponse.org_id)))
        readers = session.scalar(select(func.count()).select_from(AlertAudience))
        claimed = outbox.claim(session, channel=Channel.live, now=state.clock.now(),
                               lease=timedelta(seconds=30), limit=10_000)  # fmt: skip
    assert added <= responders
    assert readers is not None and readers >= len(expected)
    assert {d.seq for d in claimed} == {r.seq for r in rows}
