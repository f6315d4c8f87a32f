"""The expansion of a fan-out and the webhook path after it do each read once, not once per
channel or per batch: at 3,000 recipients every extra read costs a visible share."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, select
from tests.alerts.factory import publish
from tests.delivery.helpers import deliveries, register_webhook

from tocsin.clock import ManualClock
from tocsin.db import transaction
from tocsin.delivery import fanout
from tocsin.delivery.models import Channel, RevisionFanout
from tocsin.state import AppState

pytestmark = pytest.mark.usefixtures("quiet")


@contextmanager
def statements(state: AppState) -> Iterator[list[str]]:
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(" ".join(statement.split()).lower())

    event.listen(state.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(state.engine, "before_cursor_execute", note)


def _defer(state: AppState) -> None:
    state.sessions.configure(info={**state.sessions.kw.get("info", {}), fanout.DEFERRED: True})


def test_the_expansion_reads_the_members_wishes_once_for_email_and_sms(
    client: Any, world: Any, state: AppState, clock: ManualClock
) -> None:
    _defer(state)
    register_webhook(client, world, "E2", "http://127.0.0.1:9/hook")
    publish(client, world, "E1")
    with statements(state) as seen, transaction(state.sessions) as session:
        row = session.scalars(select(RevisionFanout)).one()
        fanout.expand(session, row, now=clock.now())
    reads = [s for s in seen if s.startswith("select") and "from memberships" in s]
    assert len(reads) == 1, reads
    assert len(deliveries(state, Channel.webhook)) == 1
