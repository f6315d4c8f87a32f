"""Each person's notification preferences: the severities by e-mail and by SMS, the phone
number, the language of the messages; read as they apply (the roles' defaults filled in)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tocsin.audit.service import Actor, record
from tocsin.delivery.models import NotificationPreference
from tocsin.delivery.preferences import email_wished, sms_wished
from tocsin.errors import NotFound
from tocsin.network.models import Membership, User

UNCHANGED = object()


@dataclass(frozen=True)
class Preferences:
    """What reaches a person, as it applies now."""

    email: list[str]
    sms: list[str]  # what SMS would carry; nothing is sent until there is a phone
    phone: str | None
    language: str | None
    sms_active: bool


def _roles(session: Session, user_id: uuid.UUID) -> list[str]:
    return list(session.scalars(select(Membership.role).where(Membership.user_id == user_id)))


def get_preferences(*, session: Session, user_id: uuid.UUID) -> Preferences:
    """The user's preferences with the defaults of their roles where they chose nothing."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("no such user")
    pref = session.get(NotificationPreference, user_id)
    roles = _roles(session, user_id)
    phone = pref.phone if pref else None
    by_sms = sms_wished(roles, pref.sms_severities if pref else None)
    return Preferences(
        email=sorted(email_wished(roles, pref.severities if pref else None)),
        sms=sorted(by_sms), phone=phone, language=user.language,
        sms_active=bool(phone and by_sms),
    )  # fmt: skip


def set_preferences(
    *, session: Session, user_id: uuid.UUID, by: Actor, now: datetime,
    email: list[str] | None = None, sms: list[str] | None = None,
    phone: object = UNCHANGED, language: object = UNCHANGED,
) -> Preferences:  # fmt: skip
    """Change what was given (None or UNCHANGED: kept); the phone is already E.164."""
    pref = session.get(NotificationPreference, user_id)
    if pref is None:
        current = get_preferences(session=session, user_id=user_id)
        pref = NotificationPreference(user_id=user_id, severities=current.email,
                                      sms_severities=None, phone=None, updated_at=now)  # fmt: skip
        session.add(pref)
    if email is not None:
        pref.severities = sorted(set(email))
    if sms is not None:
        pref.sms_severities = sorted(set(sms))
    if phone is not UNCHANGED:
        pref.phone = phone if isinstance(phone, str) and phone else None
    if language is not UNCHANGED:
        user = session.get(User, user_id)
        if user is not None:
            user.language = language if isinstance(language, str) else None
    pref.updated_at = now
    session.flush()
    result = get_preferences(session=session, user_id=user_id)
    record(
        session=session, actor=by, action="notifications.set", target_type="user",
        target_id=user_id, at=now, concerns=[by.org_id] if by.org_id else [],
        details={"email": result.email, "sms": result.sms, "phone": bool(result.phone),
                 "language": result.language},
    )  # fmt: skip
    return result
