"""A token's last use, written as the last statement of the request's transaction.

Written at once, this once-a-minute bookkeeping took SQLite's one write lock at the start of
the request and held it to the commit: a member's long write (a 50,000-indicator alert)
then held the lock while still computing, and every other organisation's small writes
waited behind it.

A request that wrote nothing else never waits for the lock on SQLite either: the stamp is
tried without waiting and, when another transaction holds the lock, left to the token's
next request (the stored time is still old, so that request tries again). It is the only
write of a plain read, and a read must not queue behind a member's large alert for it.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import event, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from tocsin.clock import as_utc
from tocsin.db import SQLITE_BUSY_TIMEOUT_MS
from tocsin.network.models import ApiToken


def note_use_at_commit(session: Session, token: ApiToken, now: datetime) -> None:
    """Set the token's `last_used_at` to `now`, written when the request commits."""
    # Writing it on every call would turn each read into a write; once a minute is enough.
    if token.last_used_at is not None and (now - as_utc(token.last_used_at)).total_seconds() <= 60:
        return
    set_committed_value(token, "last_used_at", now)  # what this request reads; not flushed
    token_id: uuid.UUID = token.id

    def write(committing: Session) -> None:
        stamp = update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now)
        connection = committing.connection()
        raw = connection.connection.dbapi_connection
        if connection.dialect.name != "sqlite" or getattr(raw, "in_transaction", True):
            committing.execute(stamp)  # the request wrote: the stamp joins its transaction
            return
        connection.exec_driver_sql("PRAGMA busy_timeout=0")
        try:
            committing.execute(stamp)
        except OperationalError:  # the lock is held elsewhere: the next request stamps it
            pass
        finally:
            connection.exec_driver_sql(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")

    event.listen(session, "before_commit", write, once=True)
