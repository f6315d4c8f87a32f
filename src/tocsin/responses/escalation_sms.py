"""Escalation reminders by SMS: for each person told in a round, one text per alert naming
the silent organisations, queued in the outbox (retried, recorded and limited like every
SMS) for those whose preferences text the alert's severity and who gave a phone number."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from tocsin.delivery.models import Channel, Delivery, DeliveryPayload, DeliveryStatus
from tocsin.delivery.models import NotificationPreference as Pref
from tocsin.delivery.outbox import OUTBOX_FLAG
from tocsin.delivery.preferences import wishes
from tocsin.network.models import Membership, User
from tocsin.responses.escalation_rules import Silence

TEXT_NAMESPACE = uuid.UUID("9d2a4c61-7b3e-5f80-a1c2-3e4f5a6b7c8d")


class Fired(Protocol):
    escalation_id: uuid.UUID
    alert_id: uuid.UUID
    silence: Silence | None
    people: list[str]


def _texted(
    session: Session, emails: set[str], severity: str
) -> dict[str, tuple[uuid.UUID, uuid.UUID]]:
    """Mailbox -> (user, organisation) of those whose SMS wishes cover this severity."""
    rows = session.execute(
        select(User.email, User.id, Membership.organisation_id, Membership.role,
               Pref.user_id, Pref.severities, Pref.sms_severities, Pref.phone)
        .join(Membership, Membership.user_id == User.id)
        .join(Pref, Pref.user_id == User.id)
        .where(User.email.in_(emails), User.active.is_(True), Pref.phone.is_not(None))
    )  # fmt: skip
    roles: dict[str, set[str]] = {}
    found: dict[str, tuple[uuid.UUID, uuid.UUID, Any, Any, Any]] = {}
    for email, user_id, org_id, role, _, chosen_email, chosen_sms, phone in rows:
        roles.setdefault(email, set()).add(role)
        found[email] = (user_id, org_id, chosen_email, chosen_sms, phone)
    return {
        email: (user_id, org_id)
        for email, (user_id, org_id, chosen_email, chosen_sms, phone) in found.items()
        if severity in wishes(roles=roles[email], email=chosen_email, sms=chosen_sms,
                              phone=phone).sms
    }  # fmt: skip


def queue_texts(*, session: Session, fired: Sequence[Fired], now: datetime) -> int:
    """Queue one SMS per person and alert of this round; returns how many rows."""
    grouped: dict[tuple[uuid.UUID, str], list[Fired]] = {}  # (alert, mailbox) -> fired
    for notice in fired:
        for person in notice.people:
            grouped.setdefault((notice.alert_id, person), []).append(notice)
    rows: list[dict[str, Any]] = []
    for alert_id in {a for a, _ in grouped}:
        about = {p: n for (a, p), n in grouped.items() if a == alert_id}
        silences = [s for n in next(iter(about.values())) if (s := n.silence)]
        if not silences:
            continue
        texted = _texted(session, set(about), silences[0].severity)
        for person, (user_id, org_id) in sorted(texted.items()):
            names = sorted({s.organisation for n in about[person] if (s := n.silence)})
            body = {
                "kind": "escalation", "link": f"/alerts/{alert_id}", "alert_id": str(alert_id),
                "severity": silences[0].severity, "organisations": ", ".join(names),
            }  # fmt: skip
            payload = DeliveryPayload(alert_id=None, revision=0, with_source=True, body=body)
            session.add(payload)
            session.flush()
            ids = ",".join(sorted(str(n.escalation_id) for n in about[person]))
            rows.append({
                "event_id": uuid.uuid5(TEXT_NAMESPACE, f"{alert_id}:{user_id}:{ids}"),
                "alert_id": None, "revision": 0, "action": "escalation",
                "recipient_org_id": org_id, "channel": Channel.sms, "endpoint_id": None,
                "user_id": user_id, "payload_id": payload.id, "status": DeliveryStatus.pending,
                "attempts": 0, "created_at": now,
            })  # fmt: skip
    if rows:
        session.execute(insert(Delivery), rows)
        session.info[OUTBOX_FLAG] = True
    return len(rows)
