"""Anchoring the audit chain outside the database, periodically: the head of the chain
(sequence number, digest, time), sealed with the audit key, appended to the checkpoint
file, sent to syslog when one is configured, and mailed to the security officers of the
national CERT, who keep an independent copy. `tocsin audit verify` then checks the database
against the latest checkpoint and names what is missing.

A job of every node: several nodes may write the same head; a line more costs nothing.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from email.message import EmailMessage

from sqlalchemy import select

from tocsin.audit import anchor
from tocsin.audit.service import head, keyring_of
from tocsin.delivery.notices import security_officer_emails, send_quietly
from tocsin.jobs import Job
from tocsin.network.models import Organisation, OrgKind
from tocsin.state import AppState

log = logging.getLogger(__name__)


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
        nationals = session.scalars(
            select(Organisation.id).where(Organisation.kind == OrgKind.national)
        ).all()
        addresses = [a for org in nationals for a in security_officer_emails(session, org)]
    written, _ = anchor.read_file(path, keyring)
    if written and (written[-1].seq, written[-1].digest) == (seq, digest):
        return None
    point = anchor.seal(seq=seq, digest=digest, at=state.clock.now(), keyring=keyring)
    anchor.append_to_file(path, point)
    if settings.audit_syslog:
        anchor.send_to_syslog(settings.audit_syslog, point)
    messages = [_cert_notice(point, a, settings.public_url) for a in dict.fromkeys(addresses)]
    if messages:
        asyncio.run(send_quietly(state, messages))  # ticks run in a worker thread
    log.info("audit checkpoint at record %d written to %s", seq, path)
    return point


def job() -> Job:
    # Every minute it only reads the file's last checkpoint; the period is a setting.
    return Job(name="audit.checkpoint", every_seconds=60, tick=tick)
