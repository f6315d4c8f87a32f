"""A person's second factors as a whole: what they have, whether the policy asks for one,
and the reset an administrator performs. Never commits."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tocsin.audit.service import Actor
from tocsin.audit.service import record as audit
from tocsin.clock import as_utc
from tocsin.errors import Conflict
from tocsin.identity import passkeys, recovery, totp
from tocsin.identity.models import Passkey, PendingSignIn, RecoveryCode, TotpFactor
from tocsin.identity.policy import Policy, second_factor_required
from tocsin.network import sessions
from tocsin.network.models import ApiToken, Membership, Organisation, Scope, User


@dataclass(frozen=True)
class Factors:
    totp: bool
    totp_pending: bool
    passkeys: list[Passkey]
    recovery_left: int

    @property
    def any(self) -> bool:
        """Whether the person can pass a second step (recovery codes alone do not count)."""
        return self.totp or bool(self.passkeys)


def factors_of(*, session: Session, user_id: uuid.UUID) -> Factors:
    app = totp.factor_of(session=session, user_id=user_id)
    return Factors(
        totp=app is not None and app.confirmed_at is not None,
        totp_pending=app is not None and app.confirmed_at is None,
        passkeys=passkeys.passkeys_of(session=session, user_id=user_id),
        recovery_left=recovery.left(session=session, user_id=user_id),
    )


def is_hub_admin(*, session: Session, user_id: uuid.UUID, now: datetime) -> bool:
    """Whether the person holds a live admin-scoped token (administers the hub)."""
    tokens = session.scalars(
        select(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
    )
    return any(
        Scope.admin.value in t.scopes and (t.expires_at is None or as_utc(t.expires_at) > now)
        for t in tokens
    )


def required_for(*, session: Session, user_id: uuid.UUID, policy: Policy, now: datetime) -> bool:
    """Whether the policy asks this person for a second factor."""
    if policy == "none":
        return False
    held = session.execute(
        select(Membership.role, Organisation.kind)
        .join(Organisation, Organisation.id == Membership.organisation_id)
        .where(Membership.user_id == user_id)
    )
    return second_factor_required(
        policy=policy,
        memberships=[(role, kind) for role, kind in held],
        hub_admin=is_hub_admin(session=session, user_id=user_id, now=now),
    )


def check_removable(
    *, session: Session, user_id: uuid.UUID, policy: Policy, now: datetime, remaining: int
) -> None:
    """Refuse to remove a factor that would leave a person the policy binds with none."""
    if remaining == 0 and required_for(session=session, user_id=user_id, policy=policy, now=now):
        raise Conflict("your role requires a second factor: add another one before removing this")


def reset(*, session: Session, user: User, now: datetime, actor: Actor) -> None:
    """Remove every factor and recovery code of a person and end their sessions; audited."""
    for table in (TotpFactor, Passkey, RecoveryCode, PendingSignIn):
        session.execute(delete(table).where(table.user_id == user.id))
    sessions.end_sessions(
        session=session, user_id=user.id, now=now, actor=actor, reason="factors reset"
    )
    audit(
        session=session,
        actor=actor,
        action="identity.factors_reset",
        target_type="user",
        target_id=user.id,
        at=now,
        concerns=[m.organisation_id for m in user.memberships],
    )
