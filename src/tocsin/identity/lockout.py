"""Lockout of an account after repeated wrong passwords or second-factor codes, whoever
the address, stored in the database so that every node and a restart see it.

The rate limit per address (ratelimit.py) slows one attacker; this stops many addresses
guessing one account's secrets. Failures older than the lock period are forgotten, and a
lock ends by itself: an attacker can delay a director, never lock them out for good.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import case, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from tocsin.clock import as_utc
from tocsin.identity.models import SignInLockout

MAX_FAILURES = 5
LOCK_PERIOD = timedelta(minutes=15)


def account_key(email: str) -> str:
    """The account as typed: trimmed, lower-cased, bounded."""
    return email.strip().lower()[:254]


def wait_seconds(*, session: Session, email: str, now: datetime) -> int:
    """Seconds until this account may try again; 0 when it may now."""
    until = session.scalar(
        select(SignInLockout.locked_until).where(SignInLockout.account == account_key(email))
    )
    if until is None or as_utc(until) <= now:
        return 0
    return max(1, int((as_utc(until) - now).total_seconds()))


def record_failure(*, session: Session, email: str, now: datetime) -> bool:
    """Count one failure (atomically, whichever node); True when it locks the account."""
    account = account_key(email)
    insert = (postgresql.insert if _dialect(session) == "postgresql" else sqlite.insert)(
        SignInLockout
    )
    stale = SignInLockout.updated_at < now - LOCK_PERIOD
    statement = (
        insert.values(account=account, failures=1, updated_at=now)
        .on_conflict_do_update(
            index_elements=[SignInLockout.account],
            set_={
                "failures": case((stale, 1), else_=SignInLockout.failures + 1),
                "updated_at": now,
            },
        )
        .returning(SignInLockout.failures)
    )
    failures = session.execute(statement).scalar_one()
    if failures < MAX_FAILURES:
        return False
    session.execute(
        update(SignInLockout)
        .where(SignInLockout.account == account)
        .values(failures=0, locked_until=now + LOCK_PERIOD)
    )
    return True


def record_success(*, session: Session, email: str) -> None:
    """A right password and second factor clear the count."""
    session.execute(delete(SignInLockout).where(SignInLockout.account == account_key(email)))


def purge(*, session: Session, now: datetime) -> int:
    """Forget the counts and locks that no longer matter; returns how many went."""
    old = now - LOCK_PERIOD
    result = session.execute(
        delete(SignInLockout).where(
            SignInLockout.updated_at < old,
            (SignInLockout.locked_until.is_(None)) | (SignInLockout.locked_until < now),
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name
