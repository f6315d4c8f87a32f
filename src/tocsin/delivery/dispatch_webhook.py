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
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tocsin.audit.service import SYSTEM, record
from tocsin.db import transaction
from tocsin.delivery import outbox, signing
from tocsin.delivery.backoff import next_attempt_at
from tocsin.delivery.content import envelope_bytes, is_exercise
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


@dataclass(frozen=True)
class Outgoing:
    seq: int
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
        outgoing = []
        for row in visible:
            endpoint = _endpoint(endpoints, row)
            if endpoint is None or not _usable(endpoint):
                continue
            body = envelope_bytes(
                event_id=str(row.event_id), action=row.action, revision=row.revision,
                timestamp=row.created_at.isoformat(), alert=bodies[row.payload_id],
                exercise=is_exercise(bodies[row.payload_id]),
            )  # fmt: skip
            headers = signing.sign(endpoint.secret, str(row.event_id), timestamp, body)
            outgoing.append(Outgoing(row.seq, endpoint.id, endpoint.url, body, headers))
        return outgoing


def _endpoint(endpoints: dict[uuid.UUID, WebhookEndpoint], row: Delivery) -> WebhookEndpoint | None:
    return endpoints.get(row.endpoint_id) if row.endpoint_id else None


def _usable(endpoint: WebhookEndpoint | None) -> bool:
    return endpoint is not None and endpoint.active and endpoint.deleted_at is None


def _record(
    state: AppState, results: list[tuple[Outgoing, AttemptResult]], rng: random.Random,
    on_delivered: OnDelivered,
) -> list[EndpointDisabled]:  # fmt: skip
    now = state.clock.now()
    notices: list[EndpointDisabled] = []
    delivered: list[int] = []
    with transaction(state.sessions) as session:
        for outgoing, result in results:
            row = session.get(Delivery, outgoing.seq)
            endpoint = session.get(WebhookEndpoint, outgoing.endpoint_id)
            if row is None or endpoint is None:
                continue
            session.add(_attempt_row(row, outgoing, result, now))
            row.attempts += 1
            row.lease_until = None
            if result.ok:
                row.status, row.delivered_at, row.last_error = DeliveryStatus.delivered, now, None
                endpoint.failing_since = None
                delivered.append(row.seq)
                continue
            row.last_error = result.error
            notice = _failed(session, row, endpoint, now, rng)
            if notice:
                notices.append(notice)
        report_delivered(session=session, seqs=delivered, at=now, on_delivered=on_delivered)
    return notices


def _attempt_row(
    row: Delivery, outgoing: Outgoing, result: AttemptResult, now: datetime
) -> WebhookAttempt:
    return WebhookAttempt(
        endpoint_id=outgoing.endpoint_id,
        delivery_seq=row.seq,
        event_id=row.event_id,
        at=now,
        status_code=result.status_code,
        error=result.error,
        duration_ms=result.duration_ms,
        ok=result.ok,
    )


def _failed(
    session: Session, row: Delivery, endpoint: WebhookEndpoint, now: datetime, rng: random.Random
) -> EndpointDisabled | None:
    endpoint.failing_since = endpoint.failing_since or now
    row.first_failure_at = row.first_failure_at or now
    retry_at = next_attempt_at(row.attempts, endpoint.failing_since, now, rng)
    if retry_at is not None:
        row.next_attempt_at = retry_at
        return None
    row.status = DeliveryStatus.failed
    if not endpoint.active:
        return None
    return disable_endpoint(session, endpoint, now, f"failing since {endpoint.failing_since}")


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
