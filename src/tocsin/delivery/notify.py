"""Notices through the delivery channels: a declaration to its relays, a correlation to the
authors and relays of both alerts.

A notice goes through the same outbox as an alert revision, in the caller's transaction: one
live delivery per organisation (so it reaches open streams and is replayed after a
disconnection), one per active webhook endpoint, and one e-mail per user who asked for
e-mail at the notice's severity. The caller chooses the recipients under the sharing rules;
the dispatchers do not check them again.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from tocsin.delivery.content import NOTICE_ACTIONS
from tocsin.delivery.models import Channel, Delivery, DeliveryPayload, DeliveryStatus
from tocsin.delivery.outbox import OUTBOX_FLAG, endpoints_by_org, mail_users_by_org

NOTICE_NAMESPACE = uuid.UUID("0b6c41f2-5d8e-5a3b-8c7d-1e2f3a4b5c6d")


@dataclass(frozen=True)
class Notice:
    """What the recipients are told."""

    kind: str  # one of content.NOTICE_ACTIONS
    subject: str
    text: str
    link: str  # path on the hub, e.g. /declarations/<id>
    severity: str = "medium"  # matched against users' e-mail preferences
    details: dict[str, Any] = field(default_factory=dict)

    def body(self) -> dict[str, Any]:
        return {"kind": self.kind, "subject": self.subject, "text": self.text,
                "link": self.link, "severity": self.severity, **self.details}  # fmt: skip


def _event_id(
    payload_id: uuid.UUID, org_id: uuid.UUID, channel: Channel, target: object
) -> uuid.UUID:
    # Fixed when the row is written, so a delivery sent twice after a crash keeps its id.
    return uuid.uuid5(NOTICE_NAMESPACE, f"{payload_id}:{org_id}:{channel}:{target}")


def write_notice(
    *,
    session: Session,
    notice: Notice,
    recipients: Iterable[uuid.UUID],
    now: datetime,
    by_email: bool = True,
) -> int:
    """Queue the notice for every recipient organisation; returns how many rows were written.

    `by_email=False` when the caller mails named people itself (escalations)."""
    if notice.kind not in NOTICE_ACTIONS:
        raise ValueError(f"unknown notice kind {notice.kind!r}")
    targets = set(recipients)
    if not targets:
        return 0
    payload = DeliveryPayload(alert_id=None, revision=0, with_source=True, body=notice.body())
    session.add(payload)
    session.flush()
    endpoints = endpoints_by_org(session, targets)
    mail_users = mail_users_by_org(session, targets, notice.severity) if by_email else {}
    rows: list[dict[str, Any]] = []
    for org_id in sorted(targets):
        wanted: list[tuple[Channel, uuid.UUID | None, uuid.UUID | None]] = [
            (Channel.live, None, None)
        ]
        wanted += [(Channel.webhook, e, None) for e in endpoints.get(org_id, [])]
        wanted += [(Channel.email, None, u) for u in mail_users.get(org_id, [])]
        rows += [
            {
                "event_id": _event_id(
                    payload.id, org_id, channel, endpoint_id or user_id or org_id
                ),
                "alert_id": None,
                "revision": 0,
                "action": notice.kind,
                "recipient_org_id": org_id,
                "channel": channel,
                "endpoint_id": endpoint_id,
                "user_id": user_id,
                "payload_id": payload.id,
                "status": DeliveryStatus.pending,
                "attempts": 0,
                "created_at": now,
            }
            for channel, endpoint_id, user_id in wanted
        ]
    session.execute(insert(Delivery), rows)
    session.info[OUTBOX_FLAG] = True
    return len(rows)
