"""Browser sessions: open, find, choose an organisation, close. Never commits.

In the network package, below every door: the API's live stream accepts a signed-in
browser as well as a token, and the pages build on the same lookup."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from tocsin.audit.service import Actor
from tocsin.audit.service import record as audit
from tocsin.clock import as_utc
from tocsin.network.models import Membership, Organisation, User, WebSession
from tocsin.network.secrets import verify_password

SESSION_LIFETIME = timedelta(hours=10)  # a working day, then sign in again (the default)
SESSION_IDLE = timedelta(minutes=30)
SEEN_EVERY = timedelta(minutes=1)  # last_seen_at is written at most this often


@dataclass(frozen=True)
class OpenedSession:
    row: WebSession
    cookie_value: str  # shown once to the browser; only its digest is kept


def digest(cookie_value: str) -> str:
    return hashlib.sha256(cookie_value.encode()).hexdigest()


def csrf_token(secret_key: str, binding: str) -> str:
    """The synchroniser token of a session (or of a pre-sign-in nonce): an HMAC, not stored."""
    return hmac.new(secret_key.encode(), f"csrf:{binding}".encode(), hashlib.sha256).hexdigest()


def csrf_valid(secret_key: str, binding: str, offered: str | None) -> bool:
    return bool(offered) and hmac.compare_digest(csrf_token(secret_key, binding), offered or "")


def check_password(*, session: Session, email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None (same answer for both mistakes)."""
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.active or not user.password_hash:
        return None
    return user if verify_password(user.password_hash, password) else None


def organisations_of(*, session: Session, user_id: uuid.UUID) -> list[Organisation]:
    """The organisations a user has a role in, by name."""
    query = (
        select(Organisation)
        .join(Membership, Membership.organisation_id == Organisation.id)
        .where(Membership.user_id == user_id)
        .distinct()
        .order_by(Organisation.name)
    )
    return list(session.scalars(query))


@dataclass(frozen=True)
class Opening:
    """How a browser signs in: where from, with what, and what the policy asks of it."""

    source_ip: str | None = None
    user_agent: str | None = None
    via: str = "password"
    second_factor: str | None = None
    enrolment_required: bool = False
    lifetime: timedelta = SESSION_LIFETIME


def open_session(
    *, session: Session, user: User, now: datetime, opening: Opening = Opening()
) -> OpenedSession:
    """Sign a user in; with a single organisation it is chosen at once."""
    cookie_value = secrets.token_urlsafe(32)
    orgs = organisations_of(session=session, user_id=user.id)
    row = WebSession(
        digest=digest(cookie_value),
        user_id=user.id,
        organisation_id=orgs[0].id if len(orgs) == 1 else None,
        created_at=now,
        expires_at=now + opening.lifetime,
        source_ip=opening.source_ip,
        last_seen_at=now,
        user_agent=(opening.user_agent or "")[:300] or None,
        second_factor=opening.second_factor,
        enrolment_required=opening.enrolment_required,
    )
    session.add(row)
    session.flush()
    actor = Actor(user_id=user.id, org_id=row.organisation_id, source_ip=opening.source_ip)
    audit(
        session=session,
        actor=actor,
        action="web.sign_in",
        target_type="user",
        target_id=user.id,
        at=now,
        concerns=[o.id for o in orgs],
        details={"via": opening.via, "second_factor": opening.second_factor or ""},
    )
    return OpenedSession(row=row, cookie_value=cookie_value)


def find_session(
    *, session: Session, cookie_value: str, now: datetime, idle: timedelta = SESSION_IDLE
) -> WebSession | None:
    """The live session behind a cookie; one expired or idle too long is removed and reads
    as absent. Using it counts as activity."""
    row = session.scalar(select(WebSession).where(WebSession.digest == digest(cookie_value)))
    if row is None:
        return None
    seen = as_utc(row.last_seen_at or row.created_at)
    if as_utc(row.expires_at) <= now or now - seen > idle:
        session.delete(row)
        session.flush()
        return None
    if now - seen >= SEEN_EVERY:
        row.last_seen_at = now
    return row


def sessions_of(*, session: Session, user_id: uuid.UUID, now: datetime) -> list[WebSession]:
    """A user's sessions still open, the most recently used first."""
    query = (
        select(WebSession)
        .where(WebSession.user_id == user_id, WebSession.expires_at > now)
        .order_by(WebSession.last_seen_at.desc(), WebSession.created_at.desc())
    )
    return list(session.scalars(query))


def end_sessions(
    *,
    session: Session,
    user_id: uuid.UUID,
    now: datetime,
    actor: Actor,
    reason: str,
    only: uuid.UUID | None = None,
    keep: uuid.UUID | None = None,
) -> int:
    """End one of a user's sessions (`only`), or all of them but `keep`; audited."""
    query = delete(WebSession).where(WebSession.user_id == user_id)
    if only is not None:
        query = query.where(WebSession.id == only)
    if keep is not None:
        query = query.where(WebSession.id != keep)
    ended = int(getattr(session.execute(query), "rowcount", 0) or 0)
    if ended:
        orgs = [o.id for o in organisations_of(session=session, user_id=user_id)]
        audit(
            session=session,
            actor=actor,
            action="web.sessions_end",
            target_type="user",
            target_id=user_id,
            at=now,
            concerns=orgs,
            details={"reason": reason, "count": ended},
        )
    return ended


def choose_organisation(
    *, session: Session, web_session: WebSession, organisation_id: uuid.UUID
) -> bool:
    """Act for one of the user's organisations; False if the user has no role there."""
    allowed = {o.id for o in organisations_of(session=session, user_id=web_session.user_id)}
    if organisation_id not in allowed:
        return False
    web_session.organisation_id = organisation_id
    session.flush()
    return True


def close_session(*, session: Session, web_session: WebSession, now: datetime) -> None:
    """Sign out: the row goes, so the cookie is worthless even if kept."""
    actor = Actor(user_id=web_session.user_id, org_id=web_session.organisation_id)
    audit(
        session=session,
        actor=actor,
        action="web.sign_out",
        target_type="user",
        target_id=web_session.user_id,
        at=now,
        concerns=[web_session.organisation_id],
        details={},
    )
    session.delete(web_session)
    session.flush()


def purge_expired(*, session: Session, now: datetime, idle: timedelta = SESSION_IDLE) -> int:
    """Remove expired and idle sessions; returns how many."""
    seen = func.coalesce(WebSession.last_seen_at, WebSession.created_at)
    result = session.execute(
        delete(WebSession).where((WebSession.expires_at <= now) | (seen < now - idle))
    )
    return int(getattr(result, "rowcount", 0) or 0)


def has_users(*, session: Session) -> bool:
    return session.scalar(select(User.id).limit(1)) is not None
