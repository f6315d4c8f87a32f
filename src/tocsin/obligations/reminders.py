"""The regulatory clocks' job: remind the declarant's director and security officer before
each due time (at half the time and one hour before, by default), and tell its relays once
a step is overdue, through the delivery channels (live stream, webhooks, e-mail).

Durable and idempotent: which reminders went out is kept on the obligation row
(`reminders_sent`), written in the same transaction as the notices; the e-mails to named
people leave after the commit, as escalations' do. Moments come from `clocks`, pure.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage

from sqlalchemy import select
from sqlalchemy.orm import Session

from tocsin.audit.service import SYSTEM
from tocsin.audit.service import record as audit
from tocsin.db import transaction
from tocsin.delivery.notify import Notice, write_notice
from tocsin.jobs import Job
from tocsin.localtime import moment_text
from tocsin.mailer import Mailer, MemoryMailer
from tocsin.network import service as network_service
from tocsin.network.models import Role
from tocsin.obligations.clocks import reminders_due
from tocsin.obligations.models import RegulatoryObligation
from tocsin.obligations.regimes import Reminders
from tocsin.obligations.service import rule_of
from tocsin.settings import Settings
from tocsin.sharing.rules import Network
from tocsin.state import AppState

log = logging.getLogger(__name__)

TICK_SECONDS = 60.0
BATCH = 500
DECLARANT_ROLES = (Role.director, Role.security_officer)


@dataclass
class Reminded:
    """One reminder decided in a tick: the step, the keys, who is told."""

    obligation_id: uuid.UUID
    keys: list[str]
    told_orgs: list[uuid.UUID]
    emails: list[EmailMessage] = field(default_factory=list)


def policy(settings: Settings) -> Reminders:
    return Reminders(
        fractions=tuple(settings.obligation_reminder_fractions),
        minutes_before=tuple(settings.obligation_reminder_minutes_before),
    )


def _open_rows(session: Session, now: datetime) -> list[RegulatoryObligation]:
    query = (
        select(RegulatoryObligation)
        .where(RegulatoryObligation.submitted_at.is_(None))
        .where(RegulatoryObligation.applicable.is_(True))
        .where(RegulatoryObligation.due_at.is_not(None))
        .where(RegulatoryObligation.starts_at <= now)
        .order_by(RegulatoryObligation.due_at)
        .limit(BATCH)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return list(session.scalars(query))


def _texts(row: RegulatoryObligation, overdue: bool, settings: Settings) -> tuple[str, str]:
    assert row.due_at is not None
    rule = rule_of(row)
    due = moment_text(row.due_at, zone_name=settings.time_zone, language="en", with_zone=True)
    what = f"{row.regime.upper()} {row.step.replace('_', ' ')} ({rule.authority})"
    if overdue:
        return f"Overdue: {what}", f"The {what} was due at {due} and has not been sent."
    return f"Due at {due}: {what}", f"The {what} is due at {due} ({rule.source})."


def _mail(subject: str, text: str, link: str, to: list[str], settings: Settings) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = f"[tocsin] {subject}"
    message["From"] = settings.mail_from
    message["To"] = ", ".join(to)
    message.set_content(f"{text}\n\n{settings.public_url}{link}\n")
    return message


def _remind(
    session: Session, network: Network, row: RegulatoryObligation, keys: list[str],
    settings: Settings, now: datetime,
) -> Reminded:  # fmt: skip
    """Tell the declarant (and its relays once overdue); keep it on the row; audit it."""
    overdue = "overdue" in keys
    told = [row.org_id, *sorted(network.relays_of(row.org_id))] if overdue else [row.org_id]
    subject, text = _texts(row, overdue, settings)
    link = f"/declarations/{row.declaration_id}"
    details = {"event": "obligation_overdue" if overdue else "obligation_due",
               "declaration_id": str(row.declaration_id), "obligation_id": str(row.id),
               "regime": row.regime, "step": row.step, "due_at": row.due_at.isoformat()
               if row.due_at else None, "org_id": str(row.org_id)}  # fmt: skip
    write_notice(
        session=session,
        notice=Notice(kind="declaration", subject=subject, text=text, link=link,
                      severity="critical" if overdue else "high", details=details),
        recipients=told, now=now, by_email=False,
    )  # fmt: skip
    emails = sorted({
        email for _, _, email in network_service.mailboxes(
            session=session, org_ids=told, roles=DECLARANT_ROLES)
    })  # fmt: skip
    row.reminders_sent = [*row.reminders_sent, *keys]
    audit(
        session=session, actor=SYSTEM, action="obligation.remind", target_type="obligation",
        target_id=row.id, at=now, concerns=told,
        details={**details, "keys": keys, "emails": len(emails)},
    )  # fmt: skip
    mails = [_mail(subject, text, link, emails, settings)] if emails else []
    return Reminded(row.id, keys, told, mails)


def reminder_tick(state: AppState) -> list[Reminded]:
    """Send every reminder whose moment has come; returns what was decided."""
    now, settings = state.clock.now(), state.settings
    reminders = policy(settings)
    done: list[Reminded] = []
    with transaction(state.sessions) as session:
        network = network_service.load_network(session=session)
        for row in _open_rows(session, now):
            assert row.starts_at is not None and row.due_at is not None
            keys = reminders_due(row.starts_at, row.due_at, reminders, row.reminders_sent, now)
            if keys:
                done.append(_remind(session, network, row, keys, settings, now))
    mailer: Mailer = state.mailer or MemoryMailer()
    messages = [m for r in done for m in r.emails]
    if messages:
        asyncio.run(_send(mailer, messages))  # ticks run in a worker thread, off the loop
    return done


async def _send(mailer: Mailer, messages: list[EmailMessage]) -> None:
    for message in messages:
        try:
            await mailer.send(message)
        except Exception:  # the reminder is recorded; a lost e-mail must not undo it
            log.exception("obligation reminder to %s failed", message["To"])


REMINDER_JOB = Job(name="obligations.reminders", every_seconds=TICK_SECONDS, tick=reminder_tick)
