"""TOTP second factor (RFC 6238, pyotp): enrol with a QR code, confirm with a code, check
a code once. Never commits.

A code is accepted for the current 30-second step and one step either side (clock drift),
and only for a step later than the last one accepted: a code seen once, or one from an
earlier step, is refused even inside its window.
"""

from __future__ import annotations

import hmac
import re
import uuid
from datetime import datetime

import pyotp
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tocsin.audit.service import Actor
from tocsin.audit.service import record as audit
from tocsin.errors import Conflict, InvalidInput
from tocsin.identity.models import TotpFactor
from tocsin.identity.sealing import seal, unseal
from tocsin.network.models import User

ISSUER = "tocsin"
PURPOSE = "totp"
DRIFT_STEPS = 1
_CODE = re.compile(r"^\d{6}$")


def normalised(code: str) -> str:
    """A code as typed, without the spaces and dashes people put in it."""
    return re.sub(r"[\s-]", "", code)


def factor_of(*, session: Session, user_id: uuid.UUID) -> TotpFactor | None:
    return session.scalar(select(TotpFactor).where(TotpFactor.user_id == user_id))


def start_enrolment(
    *, session: Session, user: User, secret_key: str, now: datetime
) -> tuple[TotpFactor, str]:
    """A new unconfirmed authenticator (replacing an unconfirmed one); returns its secret."""
    existing = factor_of(session=session, user_id=user.id)
    if existing is not None and existing.confirmed_at is not None:
        raise Conflict("an authenticator app is already enrolled: remove it first")
    if existing is not None:
        session.delete(existing)
        session.flush()
    secret = pyotp.random_base32()
    factor = TotpFactor(
        user_id=user.id,
        secret_sealed=seal(secret_key=secret_key, purpose=PURPOSE, plaintext=secret),
        created_at=now,
    )
    session.add(factor)
    session.flush()
    return factor, secret


def secret_of(factor: TotpFactor, secret_key: str) -> str:
    return unseal(secret_key=secret_key, purpose=PURPOSE, sealed=factor.secret_sealed)


def provisioning_uri(*, secret: str, email: str) -> str:
    """The `otpauth://` URI an authenticator app reads (from the QR code or typed)."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def _accepted_step(secret: str, code: str, now: datetime, last_step: int | None) -> int | None:
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if last_step is not None and step <= last_step:
            continue  # a replay, or a code older than one already used
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def confirm(
    *, session: Session, user: User, secret_key: str, code: str, now: datetime, actor: Actor
) -> TotpFactor:
    """Confirm an enrolment with a code from the app; audited."""
    factor = factor_of(session=session, user_id=user.id)
    if factor is None or factor.confirmed_at is not None:
        raise Conflict("no authenticator app is waiting for confirmation: start again")
    code = normalised(code)
    if not _CODE.match(code):
        raise InvalidInput.one("code", "six digits from the authenticator app")
    step = _accepted_step(secret_of(factor, secret_key), code, now, factor.last_step)
    if step is None:
        raise InvalidInput.one("code", "this code is wrong or has expired: type the current one")
    factor.confirmed_at = now
    factor.last_step = step
    _audit(session, actor, user, "identity.totp_enrol", now)
    return factor


def check(
    *, session: Session, user_id: uuid.UUID, secret_key: str, code: str, now: datetime
) -> bool:
    """Whether `code` passes the second step now; the step is then spent."""
    factor = factor_of(session=session, user_id=user_id)
    code = normalised(code)
    if factor is None or factor.confirmed_at is None or not _CODE.match(code):
        return False
    step = _accepted_step(secret_of(factor, secret_key), code, now, factor.last_step)
    if step is None:
        return False
    factor.last_step = step
    return True


def remove(*, session: Session, user: User, now: datetime, actor: Actor) -> bool:
    """Remove the authenticator app; audited. False when there was none."""
    gone = session.execute(delete(TotpFactor).where(TotpFactor.user_id == user.id))
    if not getattr(gone, "rowcount", 0):
        return False
    _audit(session, actor, user, "identity.totp_remove", now)
    return True


def _audit(session: Session, actor: Actor, user: User, action: str, now: datetime) -> None:
    audit(
        session=session,
        actor=actor,
        action=action,
        target_type="user",
        target_id=user.id,
        at=now,
        concerns=[m.organisation_id for m in user.memberships],
    )
