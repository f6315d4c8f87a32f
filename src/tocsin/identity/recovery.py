"""Recovery codes: ten single-use codes for when the authenticator is lost, shown once and
kept as SHA-256 digests (60 random bits each, so a digest is enough). Never commits."""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from tocsin.audit.service import Actor
from tocsin.audit.service import record as audit
from tocsin.identity.models import RecoveryCode
from tocsin.network.models import User

COUNT = 10
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read off paper
GROUPS, GROUP_LENGTH = 3, 4


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _canonical(code: str) -> str:
    return re.sub(r"[\s-]", "", code).lower()


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(GROUPS * GROUP_LENGTH))
    return "-".join(raw[i : i + GROUP_LENGTH] for i in range(0, len(raw), GROUP_LENGTH))


def issue(*, session: Session, user: User, now: datetime, actor: Actor) -> list[str]:
    """A fresh set of codes replacing any earlier one; returned once, audited."""
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [new_code() for _ in range(COUNT)]
    session.add_all(
        RecoveryCode(user_id=user.id, digest=_digest(_canonical(c)), created_at=now) for c in codes
    )
    session.flush()
    audit(
        session=session,
        actor=actor,
        action="identity.recovery_codes_issue",
        target_type="user",
        target_id=user.id,
        at=now,
        concerns=[m.organisation_id for m in user.memberships],
        details={"count": COUNT},
    )
    return codes


def use(*, session: Session, user_id: uuid.UUID, code: str, now: datetime) -> bool:
    """Spend one unused code of this user; False when none matches."""
    row = session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user_id,
            RecoveryCode.digest == _digest(_canonical(code)),
            RecoveryCode.used_at.is_(None),
        )
    )
    if row is None:
        return False
    row.used_at = now
    return True


def left(*, session: Session, user_id: uuid.UUID) -> int:
    """How many unused codes the user has."""
    count = session.scalar(
        select(func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))
    )
    return int(count or 0)
