"""The webhook channel: signed POSTs, every attempt recorded, retries for 24 hours.

Each claimed delivery is sent in its own task, so a receiver that hangs holds only its own
deliveries (and at most `per_endpoint` connections of the shared client); results are
recorded in batches. An endpoint still failing 24 hours after its first failure is
disabled, its pending deliveries failed, and its owner told (audit record and e-mail).
"""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session

from tocsin.audit.service import SYSTEM, record
from tocsin.bulk import insert_rows
from tocsin.db import transaction
from tocsin.delivery import outbox, signing
from tocsin.delivery.backoff import next_attempt_at
from tocsin.delivery.content import data_bytes, envelope_around, is_exercise
from tocsin.delivery.models import (
    Channel,
    Delivery,
    DeliveryStatus,
    WebhookAttempt,
    WebhookEndpoint,
)
from tocsin.delivery.notices import EndpointDisabled, owner_notice, send_quietly
from tocsin.delivery.receipts import OnDelivered, report_delivered
from tocsin.delivery.visibility import still_visible
from tocsin.delivery.webhook_client import AttemptResult, WebhookClient
from tocsin.state import AppState

log = logging.getLogger(__name__)

BATCH = 1000
MAX_IN_FLIGHT = 4000
_T = TypeVar("_T")


@dataclass(frozen=True)
class Outgoing:
    seq: int
    event_id: uuid.UUID
    endpoint_id: uuid.UUID
    url: str
    body: bytes
    headers: dict[str, str]


def _prepare(state: AppState, limit: int, lease: timedelta) -> list[Outgoing]:
    now = state.clock.now()
    with transaction(state.sessions) as session:
        rows = outbox.claim(session, channel=Channel.webhook, now=now, lease=lease, limit=limit)
        visible, hidden = still_visible(session, rows)
        outbox.mark_skipped(session, [r.seq for r in hidden], "no longer visible")
        endpoints = {
            e.id: e
            for e in session.scalars(
                select(WebhookEndpoint).where(
                    WebhookEndpoint.id.in_({r.endpoint_id for r in visible})
                )
            )
        }
        gone = [r for r in visible if not _usable(_endpoint(endpoints, r))]
        outbox.mark_skipped(session, [r.seq for r in gone], "endpoint disabled or deleted")
        bodies = outbox.payload_bodies(session, {r.payload_id for r in visible})
        timestamp = int(now.timestamp())
        # Each payload (one per variant) is serialised once; the envelope and HMAC per row.
        data = {payload_id: data_bytes(body) for payload_id, body in bodies.items()}
        outgoing = []
        for row in visible:
            endpoint = _endpoint(endpoints, row)
            if endpoint is None or not _usable(endpoint):
                continue
            body = envelope_around(
                data[row.payload_id], event_id=str(row.event_id), action=row.action,
                revision=row.revision, timestamp=row.created_at.isoformat(),
                exercise=is_exercise(bodies[row.payload_id]),
            )  # fmt: skip
            headers = signing.sign(endpoint.secret, str(row.event_id), timestamp, body)
            outgoing.append(
                Outgoing(row.seq, row.event_id, endpoint.id, endpoint.url, body, headers)
            )
        return outgoing


def _endpoint(endpoints: dict[uuid.UUID, WebhookEndpoint], row: Delivery) -> WebhookEndpoint | None:
    return endpoints.get(row.endpoint_id) if row.endpoint_id else None


def _usable(endpoint: WebhookEndpoint | None) -> bool:
    return endpoint is not None and endpoint.active and endpoint.deleted_at is None


def _record(
    state: AppState, results: list[tuple[Outgoing, AttemptResult]], rng: random.Random,
    on_delivered: OnDelivered,
) -> list[EndpointDisabled]:  # fmt: skip
    """Record a batch of answers in a few statements: one read of the rows, one UPDATE for
    the delivered, one executemany for the failed, one insert of the attempts."""
    now = state.clock.now()
    with transaction(state.sessions) as session:
        outcome = _Outcome.of(session, results, now, rng)
        _write_outcome(session, outcome, now)
        # After the rows: disabling fails every delivery of the endpoint still pending.
        notices = [
            disable_endpoint(session, endpoint, now, f"failing since {endpoint.failing_since}")
            for endpoint in outcome.to_disable
        ]
        report_delivered(session=session, seqs=outcome.delivered, at=now, on_delivered=on_delivered)
    return notices


@dataclass
class _Outcome:
    """What a batch of answers changes, worked out in the order the answers came."""

    attempts: list[dict[str, Any]] = field(default_factory=list)
    delivered: list[int] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)
    recovered: set[uuid.UUID] = field(default_factory=set)
    to_disable: list[WebhookEndpoint] = field(default_factory=list)

    @classmethod
    def of(
        cls, session: Session, results: list[tuple[Outgoing, AttemptResult]], now: datetime,
        rng: random.Random,
    ) -> _Outcome:  # fmt: skip
        stored, failed_rows = _delivery_rows(session, results)
        present, failing = _endpoints(session, results)
        outcome = cls()
        for outgoing, result in results:
            if outgoing.seq not in stored or outgoing.endpoint_id not in present:
                continue
            outcome.attempts.append(_attempt_row(outgoing, result, now))
            endpoint = failing.get(outgoing.endpoint_id)
            if result.ok:
                outcome.delivered.append(outgoing.seq)
                if endpoint is None:
                    outcome.recovered.add(outgoing.endpoint_id)
                else:
                    endpoint.failing_since = None
                continue
            assert endpoint is not None  # every endpoint with a failure was loaded
            row = failed_rows[outgoing.seq]
            outcome.failed.append(outcome._failed(row, endpoint, result, now, rng))
        return outcome

    def _failed(
        self, row: Any, endpoint: WebhookEndpoint, result: AttemptResult, now: datetime,
        rng: random.Random,
    ) -> dict[str, Any]:  # fmt: skip
        endpoint.failing_since = endpoint.failing_since or now
        retry_at = next_attempt_at(row.attempts + 1, endpoint.failing_since, now, rng)
        if retry_at is None and endpoint.active and endpoint not in self.to_disable:
            self.to_disable.append(endpoint)
        return {
            "k_seq": row.seq,
            "k_attempts": row.attempts + 1,
            "k_error": result.error,
            "k_first": row.first_failure_at or now,
            "k_next": retry_at or row.next_attempt_at,
            "k_status": DeliveryStatus.failed if retry_at is None else DeliveryStatus.pending,
        }


def _delivery_rows(
    session: Session, results: list[tuple[Outgoing, AttemptResult]]
) -> tuple[set[int], dict[int, Any]]:
    """The rows still stored; for the failed ones, what the backoff needs."""
    table = Delivery.__table__.c
    stored: set[int] = set()
    for chunk in _chunks([outgoing.seq for outgoing, _ in results]):
        stored.update(session.scalars(select(table.seq).where(table.seq.in_(chunk))))
    failed: dict[int, Any] = {}
    for chunk in _chunks([outgoing.seq for outgoing, result in results if not result.ok]):
        rows = session.execute(
            select(table.seq, table.attempts, table.first_failure_at, table.next_attempt_at)
            .where(table.seq.in_(chunk))
        )  # fmt: skip
        failed.update((row.seq, row) for row in rows)
    return stored, failed


def _endpoints(
    session: Session, results: list[tuple[Outgoing, AttemptResult]]
) -> tuple[set[uuid.UUID], dict[uuid.UUID, WebhookEndpoint]]:
    """The endpoints still stored; those with a failure in the batch as objects, to update."""
    ids = {outgoing.endpoint_id for outgoing, _ in results}
    with_failure = {outgoing.endpoint_id for outgoing, result in results if not result.ok}
    present: set[uuid.UUID] = set()
    failing: dict[uuid.UUID, WebhookEndpoint] = {}
    for chunk in _chunks(sorted(ids)):
        present.update(
            session.scalars(select(WebhookEndpoint.id).where(WebhookEndpoint.id.in_(chunk)))
        )
    for chunk in _chunks(sorted(with_failure)):
        query = select(WebhookEndpoint).where(WebhookEndpoint.id.in_(chunk))
        failing.update((endpoint.id, endpoint) for endpoint in session.scalars(query))
    return present, failing


def _write_outcome(session: Session, outcome: _Outcome, now: datetime) -> None:
    deliveries = cast(Table, Delivery.__table__)
    endpoints = cast(Table, WebhookEndpoint.__table__)
    for chunk in _chunks(outcome.delivered):
        session.execute(
            update(deliveries)
            .where(deliveries.c.seq.in_(chunk))
            .values(
                status=DeliveryStatus.delivered, delivered_at=now, last_error=None,
                lease_until=None, attempts=deliveries.c.attempts + 1,
            )
        )  # fmt: skip
    if outcome.failed:
        session.execute(
            update(deliveries)
            .where(deliveries.c.seq == bindparam("k_seq"))
            .values(
                attempts=bindparam("k_attempts"), last_error=bindparam("k_error"),
                first_failure_at=bindparam("k_first"), next_attempt_at=bindparam("k_next"),
                status=bindparam("k_status"), lease_until=None,
            ),
            outcome.failed,
        )  # fmt: skip
    for ids in _chunks(sorted(outcome.recovered)):
        session.execute(
            update(endpoints)
            .where(endpoints.c.id.in_(ids), endpoints.c.failing_since.is_not(None))
            .values(failing_since=None)
        )
    insert_rows(session, WebhookAttempt.__table__, outcome.attempts)


def _chunks(items: list[_T], size: int = 1000) -> Iterator[list[_T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _attempt_row(outgoing: Outgoing, result: AttemptResult, now: datetime) -> dict[str, Any]:
    return {
        "endpoint_id": outgoing.endpoint_id,
        "delivery_seq": outgoing.seq,
        "event_id": outgoing.event_id,
        "at": now,
        "status_code": result.status_code,
        "error": result.error,
        "duration_ms": result.duration_ms,
        "ok": result.ok,
    }


def disable_endpoint(
    session: Session, endpoint: WebhookEndpoint, now: datetime, reason: str
) -> EndpointDisabled:
    """Stop sending to an endpoint: its pending deliveries fail, the decision is recorded."""
    endpoint.active = False
    endpoint.disabled_at = now
    endpoint.disabled_reason = reason
    session.execute(
        update(Delivery)
        .where(Delivery.endpoint_id == endpoint.id, Delivery.status == DeliveryStatus.pending)
        .values(status=DeliveryStatus.failed, last_error="endpoint disabled", lease_until=None)
    )
    record(
        session=session,
        actor=SYSTEM,
        action="webhook.disable",
        target_type="webhook_endpoint",
        target_id=endpoint.id,
        at=now,
        concerns=[endpoint.org_id],
        details={"url": endpoint.url, "reason": reason},
    )
    return owner_notice(session, endpoint, reason)


class WebhookDispatcher:
    """Claims due webhook deliveries and sends each in its own task."""

    def __init__(
        self, state: AppState, client: WebhookClient, on_delivered: OnDelivered,
        rng: random.Random | None = None,
    ) -> None:  # fmt: skip
        self.state = state
        self.client = client
        self.on_delivered = on_delivered
        self.rng = rng or random.Random()
        self._in_flight: set[asyncio.Task[None]] = set()
        self._done: list[tuple[Outgoing, AttemptResult]] = []
        self._flushing = asyncio.Lock()

    @property
    def lease(self) -> timedelta:
        # Long enough for the answer to be recorded; short enough that a crash costs little.
        return timedelta(seconds=self.client.limits.attempt_timeout * 2 + 5)

    async def pump(self) -> int:
        """Start sending what is due, without waiting for answers; returns how many started."""
        room = min(BATCH, MAX_IN_FLIGHT - len(self._in_flight))
        if room <= 0:
            return 0
        outgoing = await asyncio.to_thread(_prepare, self.state, room, self.lease)
        for item in outgoing:
            task = asyncio.create_task(self._send(item))
            self._in_flight.add(task)
            task.add_done_callback(self._in_flight.discard)
        return len(outgoing)

    async def _send(self, item: Outgoing) -> None:
        result = await self.client.send(item.url, item.body, item.headers)
        self._done.append((item, result))
        if not self._flushing.locked():
            asyncio.get_running_loop().call_soon(lambda: asyncio.ensure_future(self.flush()))

    async def flush(self) -> None:
        """Record the answers received so far, in one transaction."""
        async with self._flushing:
            while self._done:
                batch, self._done = self._done, []
                notices = await asyncio.to_thread(
                    _record, self.state, batch, self.rng, self.on_delivered
                )
                for notice in notices:
                    await send_quietly(self.state, notice.messages)

    async def drain_once(self) -> int:
        """Send what is due and wait for every answer (tests and shutdown)."""
        started = await self.pump()
        if self._in_flight:
            await asyncio.gather(*list(self._in_flight))
        await self.flush()
        return started

    async def stop(self) -> None:
        for task in list(self._in_flight):
            task.cancel()
        await asyncio.gather(*list(self._in_flight), return_exceptions=True)
        await self.flush()
