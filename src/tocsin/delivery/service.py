"""Delivery services: webhook endpoints, attempts and redelivery, stream replay (a person's
notification preferences: `notifications`)."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from tocsin.audit.service import Actor, record
from tocsin.delivery import fanout, signing
from tocsin.delivery.addresses import first_refused
from tocsin.delivery.models import (
    Channel,
    Delivery,
    DeliveryPayload,
    DeliveryStatus,
    WebhookAttempt,
    WebhookEndpoint,
)
from tocsin.delivery.outbox import OUTBOX_FLAG, payload_bodies
from tocsin.errors import Conflict, InvalidInput, NotFound

MAX_ENDPOINTS_PER_ORG = 20


def system_addresses(host: str, port: int) -> list[str]:
    """The addresses the system resolver gives for a host."""
    infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    return [str(info[4][0]) for info in infos]


def check_webhook_url(
    url: str, *, allow_private: bool, resolve: Callable[[str, int], list[str]] = system_addresses
) -> str:
    """An http(s) URL; unless allowed, one whose host resolves only to public addresses.

    Checked again at every delivery attempt (`webhook_client`): a name may be rebound.
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise InvalidInput.one("url", f"not a URL: {exc}") from exc
    if parts.scheme not in ("http", "https"):
        raise InvalidInput.one("url", "only http:// and https:// URLs are accepted")
    if not parts.hostname or parts.username or parts.password:
        raise InvalidInput.one("url", "give a host, without user or password")
    if allow_private:
        return parts.geturl()
    try:
        addresses = resolve(parts.hostname, port or 443)
    except (OSError, UnicodeError) as exc:
        raise InvalidInput.one("url", f"the host does not resolve: {exc}") from exc
    if not addresses or first_refused(addresses) is not None:
        raise InvalidInput.one(
            "url", "the host resolves to a loopback, private or reserved address (refused)"
        )
    return parts.geturl()


def create_webhook(
    *, session: Session, org_id: uuid.UUID, url: str, description: str | None, by: Actor,
    now: datetime, allow_private: bool,
) -> tuple[WebhookEndpoint, str]:  # fmt: skip
    """Register an endpoint; returns it with its signing secret (shown to the caller once)."""
    checked = check_webhook_url(url, allow_private=allow_private)
    count = session.scalar(
        select(func.count()).where(
            WebhookEndpoint.org_id == org_id, WebhookEndpoint.deleted_at.is_(None)
        )
    )
    if (count or 0) >= MAX_ENDPOINTS_PER_ORG:
        raise Conflict(f"an organisation may register at most {MAX_ENDPOINTS_PER_ORG} endpoints")
    secret = signing.new_secret()
    endpoint = WebhookEndpoint(
        org_id=org_id, url=checked, description=description, secret=secret, active=True,
        created_at=now, created_by=by.user_id,
    )  # fmt: skip
    session.add(endpoint)
    session.flush()
    _audit(session, by, "webhook.create", endpoint, now, {"url": checked})
    return endpoint, secret


def get_webhook(*, session: Session, org_id: uuid.UUID, endpoint_id: uuid.UUID) -> WebhookEndpoint:
    """An endpoint of the organisation; any other looks absent."""
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or endpoint.org_id != org_id or endpoint.deleted_at is not None:
        raise NotFound("no such webhook endpoint")
    return endpoint


def list_webhooks(*, session: Session, org_id: uuid.UUID) -> list[WebhookEndpoint]:
    """The organisation's endpoints, oldest first."""
    return list(
        session.scalars(
            select(WebhookEndpoint)
            .where(WebhookEndpoint.org_id == org_id, WebhookEndpoint.deleted_at.is_(None))
            .order_by(WebhookEndpoint.created_at, WebhookEndpoint.id)
        )
    )


def delete_webhook(
    *, session: Session, org_id: uuid.UUID, endpoint_id: uuid.UUID, by: Actor, now: datetime
) -> None:
    """Stop sending to an endpoint and forget it; its pending deliveries are skipped."""
    endpoint = get_webhook(session=session, org_id=org_id, endpoint_id=endpoint_id)
    endpoint.active = False
    endpoint.deleted_at = now
    session.execute(
        update(Delivery)
        .where(Delivery.endpoint_id == endpoint.id, Delivery.status == DeliveryStatus.pending)
        .values(status=DeliveryStatus.skipped, last_error="endpoint deleted", lease_until=None)
    )
    _audit(session, by, "webhook.delete", endpoint, now, {"url": endpoint.url})


def list_attempts(
    *, session: Session, org_id: uuid.UUID, endpoint_id: uuid.UUID, before: int | None,
    limit: int,
) -> list[WebhookAttempt]:  # fmt: skip
    """Attempts to one endpoint, newest first."""
    get_webhook(session=session, org_id=org_id, endpoint_id=endpoint_id)
    query = select(WebhookAttempt).where(WebhookAttempt.endpoint_id == endpoint_id)
    if before is not None:
        query = query.where(WebhookAttempt.id < before)
    return list(session.scalars(query.order_by(WebhookAttempt.id.desc()).limit(limit)))


def redeliver(
    *, session: Session, org_id: uuid.UUID, endpoint_id: uuid.UUID, delivery_id: int, by: Actor,
    now: datetime,
) -> Delivery:  # fmt: skip
    """Send one delivery to the endpoint again, now, with the same event id and content."""
    endpoint = get_webhook(session=session, org_id=org_id, endpoint_id=endpoint_id)
    if not endpoint.active:
        raise Conflict("this endpoint is disabled; register it again to receive deliveries")
    delivery = session.get(Delivery, delivery_id)
    if delivery is None or delivery.endpoint_id != endpoint.id:
        raise NotFound("no such delivery for this endpoint")
    delivery.status = DeliveryStatus.pending
    delivery.next_attempt_at = now
    delivery.first_failure_at = None
    delivery.lease_until = None
    session.info[OUTBOX_FLAG] = True  # wake the dispatchers after commit
    _audit(session, by, "webhook.redeliver", endpoint, now, {"delivery": delivery.seq})
    return delivery


def replay(
    *, session: Session, org_id: uuid.UUID, after_seq: int, limit: int
) -> list[tuple[Delivery, dict[str, Any]]]:
    """Live deliveries of the organisation after `after_seq` that went out, oldest first;
    with those sent straight from a revision's fan-out whose rows are not written yet."""
    rows = session.execute(
        select(Delivery, DeliveryPayload.body)
        .join(DeliveryPayload, DeliveryPayload.id == Delivery.payload_id)
        .where(
            Delivery.recipient_org_id == org_id,
            Delivery.channel == Channel.live,
            Delivery.seq > after_seq,
            Delivery.status == DeliveryStatus.delivered,
        )
        .order_by(Delivery.seq)
        .limit(limit)
    )
    found = [(row[0], row[1]) for row in rows]
    pending = fanout.sent_not_expanded(session, org_id, after_seq)
    if pending:
        bodies = payload_bodies(session, {row.payload_id for row in pending})
        known = {row.seq for row, _body in found}
        found += [(row, bodies[row.payload_id]) for row in pending if row.seq not in known]
        found.sort(key=lambda pair: pair[0].seq)
    return found[:limit]


def first_delivered_at(*, session: Session, alert_id: uuid.UUID) -> dict[uuid.UUID, datetime]:
    """When each recipient organisation first got the alert, on any channel (for responses)."""
    rows = session.execute(
        select(Delivery.recipient_org_id, func.min(Delivery.delivered_at))
        .where(Delivery.alert_id == alert_id, Delivery.delivered_at.is_not(None))
        .group_by(Delivery.recipient_org_id)
    )
    return {org_id: at for org_id, at in rows if at is not None}


def _audit(
    session: Session, by: Actor, action: str, endpoint: WebhookEndpoint, now: datetime,
    details: dict[str, Any],
) -> None:  # fmt: skip
    record(
        session=session, actor=by, action=action, target_type="webhook_endpoint",
        target_id=endpoint.id, at=now, concerns=[endpoint.org_id], details=details,
    )  # fmt: skip
