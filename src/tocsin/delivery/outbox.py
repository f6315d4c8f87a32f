"""The outbox: drained by the dispatchers.

A revision's rows are written after its commit, from its fan-out (`delivery.fanout`).
Writing: one row per recipient organisation and channel target, each with a stable event id
(uuid5 of alert, revision, recipient, channel and target), so a receiver that gets a message
twice (at-least-once after a crash) can tell. Claiming: a lease (`lease_until`) marks rows
being sent; a node that dies leaves leases that expire and the rows are claimed again.
A row is not claimed while an earlier revision of the same alert for the same target is
still pending, so each recipient sees the revisions of an alert in order.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, or_, select, update
from sqlalchemy.orm import Session, aliased

from tocsin.alerts.models import Alert, AlertRevision
from tocsin.alerts.present import alert_out
from tocsin.alerts.vocab import RevisionAction
from tocsin.delivery.models import (
    Channel,
    Delivery,
    DeliveryPayload,
    DeliveryStatus,
    NotificationPreference,
    RevisionFanout,
    WebhookEndpoint,
)
from tocsin.delivery.preferences import wishes
from tocsin.network.models import Membership, User
from tocsin.sharing.rules import Audience, Network

EVENT_NAMESPACE = uuid.UUID("6f1d8c2e-3b7a-5e4f-9a10-2c4d6e8f0a1b")
ENDING_ACTIONS = (RevisionAction.close, RevisionAction.retract)
OUTBOX_FLAG = "tocsin.outbox_written"  # in session.info: publish a wake-up after commit
# RFC 4122 variant and version 5, as `uuid.uuid5` sets them
_NOT_VERSION_BITS = ~((0xF000 << 64) | (0xC000 << 48)) & ((1 << 128) - 1)
_VERSION_5_BITS = (5 << 76) | (0x8000 << 48)


def event_id(
    alert_id: uuid.UUID, revision: int, recipient: uuid.UUID, channel: Channel, target: object
) -> uuid.UUID:
    """The stable id of one delivery, the same however often it is sent."""
    return uuid.uuid5(EVENT_NAMESPACE, f"{alert_id}:{revision}:{recipient}:{channel}:{target}")


def event_ids(
    alert_id: uuid.UUID, revision: int
) -> Callable[[uuid.UUID, Channel, object], uuid.UUID]:
    """`event_id` for the thousands of deliveries of one revision, the same ids (a receiver
    keeps them): the part they share is hashed once, and the UUID is built from its integer
    (`uuid5` spent more on building it from bytes than on the hash)."""
    head = hashlib.sha1(EVENT_NAMESPACE.bytes, usedforsecurity=False)
    head.update(f"{alert_id}:{revision}:".encode())

    def one(recipient: uuid.UUID, channel: Channel, target: object) -> uuid.UUID:
        digest = head.copy()
        digest.update(f"{recipient}:{channel}:{target}".encode())
        value = int.from_bytes(digest.digest()[:16], "big")
        return uuid.UUID(int=(value & _NOT_VERSION_BITS) | _VERSION_5_BITS)

    return one


def _previous_recipients(session: Session, alert_id: uuid.UUID) -> set[uuid.UUID]:
    rows = session.scalars(
        select(Delivery.recipient_org_id).where(Delivery.alert_id == alert_id).distinct()
    )
    # An earlier revision's fan-out may not be expanded into deliveries yet.
    fanned = session.scalars(
        select(RevisionFanout.targets).where(RevisionFanout.alert_id == alert_id)
    )
    return set(rows) | {uuid.UUID(target[0]) for targets in fanned for target in targets}


def endpoints_by_org(session: Session, orgs: set[uuid.UUID]) -> dict[uuid.UUID, list[uuid.UUID]]:
    found: dict[uuid.UUID, list[uuid.UUID]] = {}
    rows = session.execute(
        select(WebhookEndpoint.org_id, WebhookEndpoint.id).where(
            WebhookEndpoint.active.is_(True), WebhookEndpoint.deleted_at.is_(None)
        )
    )
    for org_id, endpoint_id in rows:
        if org_id in orgs:
            found.setdefault(org_id, []).append(endpoint_id)
    return found


def users_by_org(
    session: Session, orgs: set[uuid.UUID], severity: str, channel: Channel = Channel.email
) -> dict[uuid.UUID, list[uuid.UUID]]:
    """The active users of each organisation whose wishes (their own, or their roles'
    defaults) send this severity by this channel (e-mail or SMS)."""
    return users_by_channel(session, orgs, severity)[channel]


def users_by_channel(
    session: Session, orgs: set[uuid.UUID], severity: str
) -> dict[Channel, dict[uuid.UUID, list[uuid.UUID]]]:
    """`users_by_org` for e-mail and SMS from one read: the expansion needs both, and the
    read (thousands of memberships with their stored wishes) is most of its cost."""
    found: dict[Channel, dict[uuid.UUID, list[uuid.UUID]]] = {Channel.email: {}, Channel.sms: {}}
    if not orgs:
        return found
    rows = session.execute(
        select(
            Membership.organisation_id, User.id, Membership.role,
            NotificationPreference.severities, NotificationPreference.sms_severities,
            NotificationPreference.phone, NotificationPreference.user_id,
        )
        .join(User, User.id == Membership.user_id)
        .outerjoin(NotificationPreference, NotificationPreference.user_id == User.id)
        .where(User.active.is_(True), Membership.organisation_id.in_(orgs))
    )  # fmt: skip
    roles: dict[tuple[uuid.UUID, uuid.UUID], set[str]] = {}
    stored: dict[uuid.UUID, tuple[list[str] | None, list[str] | None, str | None]] = {}
    for org_id, user_id, role, email, sms, phone, has_row in rows:
        roles.setdefault((org_id, user_id), set()).add(role)
        stored[user_id] = (email if has_row else None, sms, phone)
    for (org_id, user_id), held in sorted(roles.items()):
        chosen_email, chosen_sms, phone = stored[user_id]
        wanted = wishes(roles=held, email=chosen_email, sms=chosen_sms, phone=phone)
        if severity in wanted.email:
            found[Channel.email].setdefault(org_id, []).append(user_id)
        if severity in wanted.sms:
            found[Channel.sms].setdefault(org_id, []).append(user_id)
    return found


def mail_users_by_org(
    session: Session, orgs: set[uuid.UUID], severity: str
) -> dict[uuid.UUID, list[uuid.UUID]]:
    return users_by_org(session, orgs, severity, Channel.email)


def payloads_by_recipient(
    session: Session, alert: Alert, targets: set[uuid.UUID], audience: Audience, network: Network
) -> dict[uuid.UUID, uuid.UUID]:
    """Render the revision once per variant (source, affected establishment: each shown or
    hidden); map recipient -> payload."""
    by_variant: dict[tuple[bool, bool], uuid.UUID] = {}
    chosen: dict[uuid.UUID, uuid.UUID] = {}
    for org_id in sorted(targets):
        variant = (org_id in audience.told_source, org_id in audience.told_affected)
        if variant not in by_variant:
            body = alert_out(session, alert, org_id, network).model_dump(mode="json")
            payload = DeliveryPayload(
                alert_id=alert.id, revision=alert.revision, with_source=variant[0],
                with_affected=variant[1], body=body,
            )  # fmt: skip
            session.add(payload)
            session.flush()
            by_variant[variant] = payload.id
        chosen[org_id] = by_variant[variant]
    return chosen


def revision_targets(
    session: Session, alert: Alert, revision: AlertRevision, audience: Audience
) -> set[uuid.UUID]:
    """Who gets a revision: its audience's recipients, and for a closing or retracting
    revision everyone told of an earlier one; never the source."""
    targets = set(audience.recipients)
    if revision.action in ENDING_ACTIONS:
        targets |= _previous_recipients(session, alert.id)
    targets.discard(alert.source_org_id)
    return targets


def slow_rows(
    session: Session, *, alert: Alert, revision: int, action: str,
    payload_of: dict[uuid.UUID, uuid.UUID], created_at: datetime,
) -> list[dict[str, Any]]:  # fmt: skip
    """The webhook, e-mail and SMS deliveries of a revision, from the endpoints and wishes of
    its recipients as they stand now."""
    targets = set(payload_of)
    endpoints = endpoints_by_org(session, targets)
    users = users_by_channel(session, targets, alert.severity.value)
    mail_users, sms_users = users[Channel.email], users[Channel.sms]
    rows: list[dict[str, Any]] = []
    event_of = event_ids(alert.id, revision)
    for org_id in sorted(targets):
        wanted: list[tuple[Channel, uuid.UUID | None, uuid.UUID | None]] = []
        wanted += [(Channel.webhook, e, None) for e in endpoints.get(org_id, [])]
        wanted += [(Channel.email, None, u) for u in mail_users.get(org_id, [])]
        wanted += [(Channel.sms, None, u) for u in sms_users.get(org_id, [])]
        for channel, endpoint_id, user_id in wanted:
            target = endpoint_id or user_id or org_id
            rows.append(
                delivery_row(alert.id, revision, action, org_id, payload_of[org_id], created_at)
                | {
                    "event_id": event_of(org_id, channel, target),
                    "channel": channel,
                    "endpoint_id": endpoint_id,
                    "user_id": user_id,
                }
            )
    return rows


def delivery_row(
    alert_id: uuid.UUID, revision: int, action: str, org_id: uuid.UUID, payload_id: uuid.UUID,
    created_at: datetime,
) -> dict[str, Any]:  # fmt: skip
    """The columns a pending delivery of one revision to one recipient starts with."""
    return {
        "alert_id": alert_id, "revision": revision, "action": action,
        "recipient_org_id": org_id, "payload_id": payload_id,
        "status": DeliveryStatus.pending, "attempts": 0, "created_at": created_at,
    }  # fmt: skip


def claim(
    session: Session, *, channel: Channel, now: datetime, lease: timedelta, limit: int
) -> list[Delivery]:
    """Lease up to `limit` due deliveries of a channel, oldest first, in revision order."""
    earlier = aliased(Delivery)
    blocked = exists().where(
        earlier.alert_id == Delivery.alert_id,
        earlier.recipient_org_id == Delivery.recipient_org_id,
        earlier.channel == Delivery.channel,
        earlier.endpoint_id.is_not_distinct_from(Delivery.endpoint_id),
        earlier.user_id.is_not_distinct_from(Delivery.user_id),
        earlier.revision < Delivery.revision,
        earlier.status == DeliveryStatus.pending,
    )
    free = or_(Delivery.lease_until.is_(None), Delivery.lease_until < now)
    query = (
        select(Delivery.seq)
        .where(
            Delivery.status == DeliveryStatus.pending,
            Delivery.channel == channel,
            or_(Delivery.next_attempt_at.is_(None), Delivery.next_attempt_at <= now),
            free,
            ~blocked,
        )
        .order_by(Delivery.seq)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    candidates = list(session.scalars(query))
    if not candidates:
        return []
    # The lease is taken only where nobody took it meanwhile (another node, on SQLite).
    taken = session.scalars(
        update(Delivery)
        .where(Delivery.seq.in_(candidates), Delivery.status == DeliveryStatus.pending, free)
        .values(lease_until=now + lease)
        .returning(Delivery.seq)
    ).all()
    if not taken:
        return []
    return list(
        session.scalars(select(Delivery).where(Delivery.seq.in_(taken)).order_by(Delivery.seq))
    )


def payload_bodies(session: Session, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, dict[str, Any]]:
    wanted = set(ids)
    if not wanted:
        return {}
    rows = session.execute(
        select(DeliveryPayload.id, DeliveryPayload.body).where(DeliveryPayload.id.in_(wanted))
    )
    return {row.id: row.body for row in rows}


def mark_delivered(session: Session, seqs: Sequence[int], now: datetime) -> None:
    if seqs:
        session.execute(
            update(Delivery)
            .where(Delivery.seq.in_(seqs))
            .values(status=DeliveryStatus.delivered, delivered_at=now, lease_until=None)
        )


def mark_skipped(session: Session, seqs: Sequence[int], reason: str) -> None:
    if seqs:
        session.execute(
            update(Delivery)
            .where(Delivery.seq.in_(seqs))
            .values(status=DeliveryStatus.skipped, last_error=reason, lease_until=None)
        )


def release(session: Session, seqs: Sequence[int], reason: str) -> None:
    """Give leased rows back (the bus was down): the next poll tries again."""
    if seqs:
        session.execute(
            update(Delivery)
            .where(Delivery.seq.in_(seqs))
            .values(lease_until=None, last_error=reason)
        )
