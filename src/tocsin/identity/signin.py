"""The steps of signing in: after the first (a password, or an identity provider), either a
session opens or a second step is owed. Never commits.

A person with a second factor passes it before any session exists; a person the policy
binds who has none gets a session that may only enrol one (`enrolment_required`).
"""

from __future__ import annotations

import dataclasses
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tocsin.audit.service import Actor
from tocsin.audit.service import record as audit
from tocsin.clock import as_utc
from tocsin.identity import lockout
from tocsin.identity.factors import factors_of, required_for
from tocsin.identity.models import PendingSignIn, SsoLogin
from tocsin.network import sessions
from tocsin.network.models import User
from tocsin.network.sessions import OpenedSession, Opening
from tocsin.settings import Settings

SECOND_STEP_TIME = timedelta(minutes=5)


@dataclass(frozen=True)
class Begun:
    """Either an open session, or the cookie of a pending second step."""

    opened: OpenedSession | None = None
    pending_cookie: str | None = None


def _opening(settings: Settings, opening: Opening, **changes: object) -> Opening:
    lifetime = timedelta(hours=settings.session_lifetime_hours)
    return dataclasses.replace(opening, lifetime=lifetime, **changes)  # type: ignore[arg-type]


def begin(
    *,
    session: Session,
    user: User,
    settings: Settings,
    now: datetime,
    opening: Opening,
    next_path: str,
) -> Begun:
    """After the first step: owe a second one, or open a session (enrolment-only if the
    policy asks for a factor the person does not have)."""
    has = factors_of(session=session, user_id=user.id).any
    if has and opening.second_factor is None:
        cookie = secrets.token_urlsafe(32)
        session.add(
            PendingSignIn(
                digest=sessions.digest(cookie),
                user_id=user.id,
                via=opening.via,
                next_path=next_path,
                created_at=now,
                expires_at=now + SECOND_STEP_TIME,
            )
        )
        session.flush()
        return Begun(pending_cookie=cookie)
    policy = settings.effective_mfa_required
    owes = opening.second_factor is None and required_for(
        session=session, user_id=user.id, policy=policy, now=now
    )
    lockout.record_success(session=session, email=user.email)
    opened = sessions.open_session(
        session=session,
        user=user,
        now=now,
        opening=_opening(settings, opening, enrolment_required=owes),
    )
    return Begun(opened=opened)


def find_pending(*, session: Session, cookie_value: str, now: datetime) -> PendingSignIn | None:
    """The second step this browser owes, if it has not expired."""
    row = session.scalar(
        select(PendingSignIn).where(PendingSignIn.digest == sessions.digest(cookie_value))
    )
    if row is None or as_utc(row.expires_at) <= now:
        return None
    return row


def finish(
    *,
    session: Session,
    pending: PendingSignIn,
    user: User,
    settings: Settings,
    now: datetime,
    opening: Opening,
) -> OpenedSession:
    """The second step passed: the pending row goes, the count clears, a session opens."""
    session.delete(pending)
    lockout.record_success(session=session, email=user.email)
    return sessions.open_session(
        session=session,
        user=user,
        now=now,
        opening=_opening(settings, opening, via=pending.via),
    )


def second_step_failed(
    *,
    session: Session,
    pending: PendingSignIn,
    user: User,
    now: datetime,
    source_ip: str | None,
    method: str,
) -> bool:
    """A wrong code or key at the second step: counted by the lockout and audited. Returns
    True when it locked the account (the pending step is then dropped)."""
    locked = lockout.record_failure(session=session, email=user.email, now=now)
    audit(
        session=session,
        actor=Actor(user_id=user.id, source_ip=source_ip),
        action="identity.second_factor_failed",
        target_type="user",
        target_id=user.id,
        at=now,
        concerns=[m.organisation_id for m in user.memberships],
        details={"method": method, "locked": locked},
    )
    if locked:
        session.delete(pending)
    return locked


def purge_unfinished(*, session: Session, now: datetime) -> None:
    """Forget second steps and single sign-ons never finished."""
    session.execute(delete(PendingSignIn).where(PendingSignIn.expires_at <= now))
    session.execute(delete(SsoLogin).where(SsoLogin.expires_at <= now))
