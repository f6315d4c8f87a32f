"""People of the network: enabling and disabling an account. Never commits."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.orm import Session

from tocsin.audit.service import Actor
from tocsin.audit.service import record as audit
from tocsin.network.models import User, WebSession
from tocsin.network.service import get_user


def set_active(
    *, session: Session, user_id: uuid.UUID, active: bool, now: datetime, actor: Actor
) -> User:
    """Enable or disable a person; a disabled person's sessions end and tokens stop working."""
    user = get_user(session=session, user_id=user_id)
    if user.active == active:
        return user
    user.active = active
    orgs = [m.organisation_id for m in user.memberships]
    if not active:
        session.execute(delete(WebSession).where(WebSession.user_id == user_id))
    audit(
        session=session,
        actor=actor,
        action="user.enable" if active else "user.disable",
        target_type="user",
        target_id=user_id,
        at=now,
        concerns=orgs,
    )
    return user
