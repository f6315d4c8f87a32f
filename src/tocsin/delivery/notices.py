"""Telling an organisation's security officers that one of its webhook endpoints was disabled."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from email.message import EmailMessage

from sqlalchemy import select
from sqlalchemy.orm import Session

from tocsin.delivery.models import WebhookEndpoint
from tocsin.mailer import MailerError
from tocsin.network.models import Membership, Role, User
from tocsin.state import AppState

log = logging.getLogger(__name__)


@dataclass
class EndpointDisabled:
    endpoint_id: str
    messages: list[EmailMessage] = field(default_factory=list)


def security_officer_emails(session: Session, org_id: object) -> list[str]:
    rows = session.scalars(
        select(User.email)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.organisation_id == org_id,
            Membership.role == Role.security_officer,
            User.active.is_(True),
        )
        .order_by(User.email)
    )
    return list(dict.fromkeys(rows))


def owner_notice(session: Session, endpoint: WebhookEndpoint, reason: str) -> EndpointDisabled:
    """The e-mails to send once the transaction that disabled the endpoint has committed."""
    notice = EndpointDisabled(endpoint_id=str(endpoint.id))
    for address in security_officer_emails(session, endpoint.org_id):
        message = EmailMessage()
        message["Subject"] = "[tocsin] Webhook endpoint disabled after 24 hours of failures"
        message["To"] = address
        message.set_content(
            f"The webhook endpoint {endpoint.url} (id {endpoint.id}) of your organisation has "
            f"failed for 24 hours and was disabled ({reason}).\n"
            "Alerts are no longer sent to it. See its attempts with "
            f"GET /api/v1/webhooks/{endpoint.id}/attempts, fix the receiver, then register it "
            "again and redeliver what it missed.\n"
        )
        notice.messages.append(message)
    return notice


async def send_quietly(state: AppState, messages: list[EmailMessage]) -> None:
    """Send notices with the node's mailer; a failure is logged (the audit record stays)."""
    mailer = state.mailer
    if mailer is None:
        log.warning("no mailer configured; %d notice(s) not sent", len(messages))
        return
    for message in messages:
        if "From" not in message:
            message["From"] = state.settings.mail_from
        try:
            await mailer.send(message)
        except MailerError as exc:
            log.warning("notice to %s not sent: %s", message["To"], exc)
