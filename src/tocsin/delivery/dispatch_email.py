"""The e-mail channel: one message per user whose preferences select the alert's severity,
in that user's language (the hub's when they chose none)."""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

from sqlalchemy import select

from tocsin.db import transaction
from tocsin.delivery import outbox
from tocsin.delivery.backoff import next_attempt_at
from tocsin.delivery.content import NOTICE_ACTIONS
from tocsin.delivery.letters import (
    Envelope,
    Reader,
    alert_letter,
    compose,
    message_id,
    notice_letter,
    reader_language,
)  # fmt: skip
from tocsin.delivery.models import Channel, Delivery, DeliveryStatus
from tocsin.delivery.receipts import OnDelivered, report_delivered
from tocsin.delivery.visibility import still_visible
from tocsin.mailer import Mailer, MailerError
from tocsin.network.models import User
from tocsin.state import AppState

log = logging.getLogger(__name__)

BATCH = 200
LEASE = timedelta(minutes=2)


def _prepare(state: AppState) -> list[tuple[int, EmailMessage]]:
    now = state.clock.now()
    with transaction(state.sessions) as session:
        rows = outbox.claim(session, channel=Channel.email, now=now, lease=LEASE, limit=BATCH)
        visible, hidden = still_visible(session, rows)
        outbox.mark_skipped(session, [r.seq for r in hidden], "no longer visible")
        users = {
            u.id: u
            for u in session.scalars(select(User).where(User.id.in_({r.user_id for r in visible})))
        }
        people = {r.seq: user for r in visible if (user := _person(users, r.user_id))}
        gone = [r.seq for r in visible if r.seq not in people]
        outbox.mark_skipped(session, gone, "user inactive or deleted")
        bodies = outbox.payload_bodies(session, {r.payload_id for r in visible})
        return [
            (row.seq, _message(row, bodies[row.payload_id], people[row.seq], state))
            for row in visible
            if row.seq in people
        ]


def _message(row: Delivery, body: dict[str, Any], user: User, state: AppState) -> EmailMessage:
    settings = state.settings
    reader = Reader(
        language=reader_language(user.language, settings.language),
        zone=settings.time_zone, public_url=settings.public_url,
    )  # fmt: skip
    if row.action in NOTICE_ACTIONS:
        letter = notice_letter(body, reader)
    else:
        letter = alert_letter(body, row.action, reader)
    envelope = Envelope(
        to=user.email, sender=settings.mail_from, date=state.clock.now(),
        message_id=message_id(str(row.event_id), settings.public_url),
    )  # fmt: skip
    message = compose(letter, envelope)
    message["X-Tocsin-Event-Id"] = str(row.event_id)
    return message


def _person(users: dict[uuid.UUID, User], user_id: uuid.UUID | None) -> User | None:
    user = users.get(user_id) if user_id else None
    return user if user is not None and user.active else None


def record_outcome(
    state: AppState, sent: list[int], failed: dict[int, str], rng: random.Random,
    on_delivered: OnDelivered,
) -> None:  # fmt: skip
    now = state.clock.now()
    with transaction(state.sessions) as session:
        outbox.mark_delivered(session, sent, now)
        for seq, error in failed.items():
            row = session.get(Delivery, seq)
            if row is None:
                continue
            row.attempts += 1
            row.last_error = error
            row.lease_until = None
            row.first_failure_at = row.first_failure_at or now
            retry_at = next_attempt_at(row.attempts, row.first_failure_at, now, rng)
            if retry_at is None:
                row.status = DeliveryStatus.failed
            else:
                row.next_attempt_at = retry_at
        report_delivered(session=session, seqs=sent, at=now, on_delivered=on_delivered)


async def drain_email_once(
    state: AppState, mailer: Mailer, on_delivered: OnDelivered, rng: random.Random | None = None
) -> int:
    """Send one batch of due e-mails; returns how many were handed to the mail server."""
    prepared = await asyncio.to_thread(_prepare, state)
    if not prepared:
        return 0
    sent: list[int] = []
    failed: dict[int, str] = {}
    for seq, message in prepared:
        try:
            await mailer.send(message)
            sent.append(seq)
        except MailerError as exc:
            failed[seq] = str(exc)
    await asyncio.to_thread(
        record_outcome, state, sent, failed, rng or random.Random(), on_delivered
    )
    return len(sent)
