"""Anchoring the audit chain outside the database, periodically: the head of the chain
(sequence number, digest, time), sealed with the audit key, appended to the checkpoint
file, sent to syslog when one is configured, and mailed to the security officers of the
national CERT, who keep an independent copy. `tocsin audit verify` then checks the database
against the latest checkpoint and names what is missing.

A job of every node: several nodes may write the same head; a line more costs nothing.
It mails through the node's mailer itself, as `delivery.notices` does for webhook owners,
rather than import the delivery floor above this one.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from email.message import EmailMessage

from sqlalchemy import select
from sqlalchemy.orm import Session

from tocsin.audit import anchor
from tocsin.audit.service import head, keyring_of
from tocsin.jobs import Job
from tocsin.mailer import MailerError
from tocsin.network.models import Membership, Organisation, OrgKind, Role, User
from tocsin.state import AppState

log = logging.getLogger(__name__)


def _cert_addresses(session: Session) -> list[str]:
    """The active security officers of the national CERTs."""
    rows = session.scalars(
        select(User.email)
        .join(Membership, Membership.user_id == User.id)
        .join(Organisation, Organisation.id == Membership.organisation_id)
        .where(
            Organisation.kind == OrgKind.national,
            Membership.role == Role.security_officer,
            User.active.is_(True),
        )
        .order_by(User.email)
    )
    return list(dict.fromkeys(rows))


async def _send(state: AppState, messages: list[EmailMessage]) -> None:
    """Send with the node's mailer; a failure is logged (the file and syslog keep the line)."""
    if state.mailer is None:
        log.warning("no mailer: %d audit checkpoint notice(s) not sent", len(messages))
        return
    for message in messages:
        message["From"] = state.settings.mail_from
        try:
            await state.mailer.send(message)
        except MailerError as exc:
            log.warning("audit checkpoint notice to %s not sent: %s", message["To"], exc)


def _cert_notice(point: anchor.Checkpoint, to: str, hub: str) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = f"[tocsin] Audit checkpoint: record {point.seq}"
    message["To"] = to
    message.set_content(
        f"Checkpoint of the audit trail of the hub {hub}, for your records.\n\n"
        f"{point.line()}\n\n"
        "Keep this message: if the hub's audit trail is ever questioned, `tocsin audit "
        "verify` run against a copy of this line shows whether any record up to this one "
        "was deleted or changed.\n"
    )
    return message


def tick(state: AppState) -> anchor.Checkpoint | None:
    """The scheduler's entry point: a checkpoint once `audit_checkpoint_minutes` have passed
    since the latest one."""
    settings = state.settings
    written, _ = anchor.read_file(settings.effective_audit_checkpoint_file, keyring_of(settings))
    period = timedelta(minutes=settings.audit_checkpoint_minutes)
    if written and state.clock.now() < written[-1].at + period:
        return None
    return checkpoint(state)


def checkpoint(state: AppState) -> anchor.Checkpoint | None:
    """Write a checkpoint of the chain's head now, unless the latest one already names it."""
    settings = state.settings
    keyring = keyring_of(settings)
    path = settings.effective_audit_checkpoint_file
    with state.sessions() as session:
        seq, digest = head(session=session)
        addresses = _cert_addresses(session)
    written, _ = anchor.read_file(path, keyring)
    if written and (written[-1].seq, written[-1].digest) == (seq, digest):
        return None
    point = anchor.seal(seq=seq, digest=digest, at=state.clock.now(), keyring=keyring)
    anchor.append_to_file(path, point)
    if settings.audit_syslog:
        anchor.send_to_syslog(settings.audit_syslog, point)
    messages = [_cert_notice(point, a, settings.public_url) for a in addresses]
    if messages:
        asyncio.run(_send(state, messages))  # ticks run in a worker thread, off the loop
    log.info("audit checkpoint at record %d written to %s", seq, path)
    return point


def job() -> Job:
    # Every minute it only reads the file's last checkpoint; the period is a setting.
    return Job(name="audit.checkpoint", every_seconds=60, tick=tick)
