"""The SMS channel: one short text per person whose preferences select the alert's severity
(and who gave a phone number), in their language, through the node's SMS gateway.

A TLP:RED alert's SMS says only that an alert awaits in tocsin (`sms.text`). Limits keep a
phone usable in a crisis: at most `sms_per_user_per_hour` texts per person, and one alert
texts the same person again only after `sms_alert_interval_minutes` (its updates are in the
inbox). A text over a limit is skipped with the reason recorded on its row; a gateway error
or timeout is retried with the e-mail's backoff and never holds the other channels back.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tocsin.db import transaction
from tocsin.delivery import outbox
from tocsin.delivery.dispatch_email import record_outcome
from tocsin.delivery.letter_words import language_of
from tocsin.delivery.models import Channel, Delivery, DeliveryStatus, NotificationPreference
from tocsin.delivery.receipts import OnDelivered
from tocsin.delivery.visibility import still_visible
from tocsin.network.models import User
from tocsin.sms.gateway import SmsError, SmsGateway
from tocsin.sms.text import AlertText, alert_sms, silence_sms
from tocsin.state import AppState

BATCH = 100
LEASE = timedelta(minutes=2)


def _text(row: Delivery, body: dict[str, Any], language: str, state: AppState) -> str:
    settings = state.settings
    parts = settings.sms_max_parts
    exercise = bool(body.get("exercise") or (body.get("details") or {}).get("exercise"))
    if row.action == "escalation":
        link = f"{settings.public_url.rstrip('/')}{body['link']}"
        return silence_sms(language=language, organisation=body.get("organisations", "?"),
                           severity=body["severity"], link=link, max_parts=parts,
                           exercise=exercise)  # fmt: skip
    link = f"{settings.public_url.rstrip('/')}/alerts/{body['id']}"
    said = AlertText(
        language=language, severity=body["severity"], tlp=body["tlp"], title=body["title"],
        link=link, affected=(body.get("affected") or {}).get("name"), exercise=exercise,
    )  # fmt: skip
    return alert_sms(said, parts)


def _sent_since(session: Session, user_id: uuid.UUID, since: datetime) -> int:
    return session.scalar(
        select(func.count()).select_from(Delivery).where(
            Delivery.channel == Channel.sms, Delivery.user_id == user_id,
            Delivery.status == DeliveryStatus.delivered, Delivery.delivered_at > since,
        )
    ) or 0  # fmt: skip


def _told_of_alert(session: Session, row: Delivery, since: datetime) -> bool:
    if row.alert_id is None:
        return False
    return bool(session.scalar(
        select(func.count()).select_from(Delivery).where(
            Delivery.channel == Channel.sms, Delivery.user_id == row.user_id,
            Delivery.alert_id == row.alert_id, Delivery.status == DeliveryStatus.delivered,
            Delivery.delivered_at > since,
        )
    ))  # fmt: skip


def _limited(session: Session, row: Delivery, now: datetime, state: AppState,
             counted: dict[uuid.UUID, int]) -> str | None:  # fmt: skip
    """Why this text must not go now (a limit), or None."""
    assert row.user_id is not None
    settings = state.settings
    interval = timedelta(minutes=settings.sms_alert_interval_minutes)
    if interval and _told_of_alert(session, row, now - interval):
        return "rate limited: this alert already texted this person recently"
    if row.user_id not in counted:
        counted[row.user_id] = _sent_since(session, row.user_id, now - timedelta(hours=1))
    if counted[row.user_id] >= settings.sms_per_user_per_hour:
        return "rate limited: this person's SMS for the hour"
    counted[row.user_id] += 1
    return None


def _prepare(state: AppState) -> list[tuple[int, str, str]]:
    now = state.clock.now()
    with transaction(state.sessions) as session:
        rows = outbox.claim(session, channel=Channel.sms, now=now, lease=LEASE, limit=BATCH)
        visible, hidden = still_visible(session, rows)
        outbox.mark_skipped(session, [r.seq for r in hidden], "no longer visible")
        ids = {r.user_id for r in visible}
        people = {
            user.id: (user, phone)
            for user, phone in session.execute(
                select(User, NotificationPreference.phone)
                .join(NotificationPreference, NotificationPreference.user_id == User.id)
                .where(User.id.in_(ids), User.active.is_(True))
            )
            if phone
        }
        bodies = outbox.payload_bodies(session, {r.payload_id for r in visible})
        ready: list[tuple[int, str, str]] = []
        counted: dict[uuid.UUID, int] = {}
        for row in visible:
            if row.user_id not in people:
                outbox.mark_skipped(session, [row.seq], "no phone number or user inactive")
            elif reason := _limited(session, row, now, state, counted):
                outbox.mark_skipped(session, [row.seq], reason)
            else:
                user, phone = people[row.user_id]
                language = language_of(user.language, state.settings.language)
                ready.append((row.seq, phone, _text(row, bodies[row.payload_id], language, state)))
        return ready


async def drain_sms_once(
    state: AppState, gateway: SmsGateway, on_delivered: OnDelivered,
    rng: random.Random | None = None,
) -> int:  # fmt: skip
    """Send one batch of due SMS; returns how many the gateway took."""
    prepared = await asyncio.to_thread(_prepare, state)
    if not prepared:
        return 0
    sent: list[int] = []
    failed: dict[int, str] = {}
    for seq, phone, text in prepared:
        try:
            await gateway.send(to=phone, text=text)
            sent.append(seq)
        except SmsError as exc:
            failed[seq] = str(exc)
    await asyncio.to_thread(
        record_outcome, state, sent, failed, rng or random.Random(), on_delivered
    )
    return len(sent)
