"""Answers are recorded a batch at a time, yet each delivery keeps its own outcome."""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy import event, select
from tests.alerts.factory import publish
from tests.delivery.helpers import deliveries, register_webhook

from tocsin.clock import ManualClock
from tocsin.db import transaction
from tocsin.delivery.dispatch_webhook import WebhookDispatcher
from tocsin.delivery.models import Channel, DeliveryStatus, WebhookAttempt
from tocsin.delivery.webhook_client import AttemptResult, WebhookClient
from tocsin.publication.receipts import on_delivered
from tocsin.state import AppState

OK = AttemptResult(200, None, 3, True)
DOWN = AttemptResult(503, "HTTP 503", 4, False)
SILENT = AttemptResult(None, "no answer within the read timeout", 5000, False)


class Scripted(WebhookClient):
    """Answers from a script per URL instead of the network."""

    def __init__(self, answers: Mapping[str, AttemptResult]) -> None:
        super().__init__(allow_private=True)
        self.answers = dict(answers)

    async def send(self, url: str, body: bytes, headers: Mapping[str, str]) -> AttemptResult:
        return self.answers[url]


@contextmanager
def statements(state: AppState) -> Iterator[list[str]]:
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(state.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(state.engine, "before_cursor_execute", note)


async def test_a_batch_gives_each_delivery_its_own_status_attempts_and_retry(
    client: Any, world: Any, state: AppState, clock: ManualClock
) -> None:
    answers = {f"http://127.0.0.1:9/{who}/{n}": OK for who in ("E2", "E3") for n in range(6)}
    answers["http://127.0.0.1:9/E2/1"] = DOWN
    answers["http://127.0.0.1:9/E3/4"] = SILENT
    hooks = {url: register_webhook(client, world, url.split("/")[3], url) for url in answers}
    publish(client, world, "E1")
    dispatcher = WebhookDispatcher(state, Scripted(answers), on_delivered, rng=random.Random(7))
    with statements(state) as seen:
        assert await dispatcher.drain_once() == 12
    rows = {hook_url(hooks, r.endpoint_id): r for r in deliveries(state, Channel.webhook)}
    for url, row in rows.items():
        assert row.attempts == 1 and row.lease_until is None
        if answers[url].ok:
            assert (row.status, row.delivered_at, row.next_attempt_at) == (
                DeliveryStatus.delivered, clock.now(), None
            )  # fmt: skip
        else:
            assert row.status is DeliveryStatus.pending and row.first_failure_at == clock.now()
            assert row.last_error == answers[url].error
            assert row.next_attempt_at is not None and row.next_attempt_at > clock.now()
    down, silent = rows["http://127.0.0.1:9/E2/1"], rows["http://127.0.0.1:9/E3/4"]
    assert down.next_attempt_at != silent.next_attempt_at  # each drew its own jitter
    with transaction(state.sessions) as session:
        attempts = list(session.scalars(select(WebhookAttempt)))
    assert sorted((a.delivery_seq, a.ok, a.status_code) for a in attempts) == sorted(
        (r.seq, answers[u].ok, answers[u].status_code) for u, r in rows.items()
    )
    # Twelve answers, recorded in a handful of statements rather than a few per answer.
    assert len(seen) <= 24, "\n".join(seen)

    dispatcher.client.answers |= {"http://127.0.0.1:9/E2/1": OK}
    clock.advance(timedelta(hours=2))
    assert await dispatcher.drain_once() == 2
    again = {hook_url(hooks, r.endpoint_id): r for r in deliveries(state, Channel.webhook)}
    assert again["http://127.0.0.1:9/E2/1"].status is DeliveryStatus.delivered
    assert again["http://127.0.0.1:9/E2/1"].attempts == 2
    assert again["http://127.0.0.1:9/E3/4"].status is DeliveryStatus.pending
    assert again["http://127.0.0.1:9/E3/4"].attempts == 2
    assert again["http://127.0.0.1:9/E3/4"].first_failure_at == down.first_failure_at
    assert again["http://127.0.0.1:9/E2/0"].attempts == 1


def hook_url(hooks: dict[str, dict[str, Any]], endpoint_id: Any) -> str:
    return next(url for url, hook in hooks.items() if hook["id"] == str(endpoint_id))
