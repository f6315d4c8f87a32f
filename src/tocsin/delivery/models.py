"""Tables of delivery: the outbox, rendered payloads, webhook endpoints and attempts, e-mail wishes.

The outbox (`deliveries`) is the truth: one row per recipient organisation, channel and target
(a webhook endpoint, a user's mailbox, or the organisation's live stream) for each revision.
Its `seq` only grows, which makes it the `Last-Event-ID` of the live stream.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tocsin.db import Base, str_enum

SeqType = BigInteger().with_variant(Integer(), "sqlite")


class Channel(enum.StrEnum):
    live = "live"
    webhook = "webhook"
    email = "email"
    sms = "sms"


class DeliveryStatus(enum.StrEnum):
    pending = "pending"  # to send (again), once `next_attempt_at` has passed
    delivered = "delivered"  # handed over: bus (live), 2xx (webhook), SMTP accepted (e-mail)
    skipped = "skipped"  # no longer visible to the recipient at send time, or target gone
    failed = "failed"  # retries exhausted (webhook endpoint disabled)


class DeliveryPayload(Base):
    """An alert revision rendered once per variant of what its recipients may be told (the
    source, the affected establishment); or a notice (no alert), rendered once for all."""

    __tablename__ = "delivery_payloads"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    alert_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"))
    revision: Mapped[int]
    with_source: Mapped[bool]
    with_affected: Mapped[bool] = mapped_column(default=False)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)


class Delivery(Base):
    __tablename__ = "deliveries"
    __table_args__ = (
        Index("ix_deliveries_due", "status", "channel", "next_attempt_at"),
        Index("ix_deliveries_stream", "recipient_org_id", "channel", "seq"),
        Index("ix_deliveries_order", "alert_id", "recipient_org_id", "channel", "revision"),
    )

    seq: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=True)
    event_id: Mapped[uuid.UUID] = mapped_column(unique=True)
    # None for a notice (declaration to relays, correlation to authors): see delivery.notify.
    alert_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"))
    revision: Mapped[int]
    action: Mapped[str] = mapped_column(String(16))
    recipient_org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    channel: Mapped[Channel] = mapped_column(str_enum(Channel))
    endpoint_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    payload_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("delivery_payloads.id", ondelete="CASCADE")
    )
    status: Mapped[DeliveryStatus] = mapped_column(str_enum(DeliveryStatus))
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime | None]
    first_failure_at: Mapped[datetime | None]
    lease_until: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)


class WebhookEndpoint(Base):
    """A receiver of one organisation. The secret is kept (signing needs it), never shown again."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(String(2048))
    description: Mapped[str | None] = mapped_column(String(200))
    secret: Mapped[str] = mapped_column(String(128))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    created_by: Mapped[uuid.UUID | None]
    failing_since: Mapped[datetime | None]
    disabled_at: Mapped[datetime | None]
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    deleted_at: Mapped[datetime | None]


class WebhookAttempt(Base):
    __tablename__ = "webhook_attempts"
    __table_args__ = (Index("ix_webhook_attempts_endpoint", "endpoint_id", "at"),)

    id: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=True)
    endpoint_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE")
    )
    delivery_seq: Mapped[int] = mapped_column(
        SeqType, ForeignKey("deliveries.seq", ondelete="CASCADE")
    )
    event_id: Mapped[uuid.UUID]
    at: Mapped[datetime]
    status_code: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[int]
    ok: Mapped[bool]


class NotificationPreference(Base):
    """What reaches a user, per channel. No row: the defaults of the user's roles
    (`delivery.preferences`); `sms_severities` None: the SMS defaults, once there is a phone."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    severities: Mapped[list[str]] = mapped_column(JSON, default=list)  # by e-mail
    sms_severities: Mapped[list[str] | None] = mapped_column(JSON)
    phone: Mapped[str | None] = mapped_column(String(16))  # E.164
    updated_at: Mapped[datetime]


class RevisionFanout(Base):
    """The outbox of one alert revision, written in its transaction: who gets it (each
    recipient with its payload variant and the sequence number reserved for its live event),
    expanded after the commit into the per-recipient `deliveries` (`delivery.fanout`)."""

    __tablename__ = "revision_fanouts"
    __table_args__ = (
        UniqueConstraint("alert_id", "revision"),
        Index("ix_revision_fanouts_due", "expanded_at", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    alert_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"))
    revision: Mapped[int]
    action: Mapped[str] = mapped_column(String(16))
    # [[recipient organisation, payload id, live sequence number], ...] in recipient order
    targets: Mapped[list[list[Any]]] = mapped_column(JSON)
    created_at: Mapped[datetime]
    lease_until: Mapped[datetime | None]
    live_sent_at: Mapped[datetime | None]
    expanded_at: Mapped[datetime | None]
