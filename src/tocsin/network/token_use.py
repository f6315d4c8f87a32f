"""A token's last use, written as the last statement of the request's transaction.

Written at once, this once-a-minute bookkeeping took SQLite's one write lock at the start of
the request and held it to the commit: a member's long write (a 50,000-indicator alert)
then held the lock while still computing, and every other organisation's small writes
waited behind it.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import event, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from tocsin.clock import as_utc
from tocsin.network.models import ApiToken


def note_use_at_commit(session: Session, token: ApiToken, now: datetime) -> None:
    """Set the token's `last_used_at` to `now`, written when the request commits."""
    # Writing it on every call would turn each read into a write; once a minute is enough.
    if token.last_used_at is not None and (now - as_utc(token.last_used_at)).total_seconds() <= 60:
        return
    set_committed_value(token, "last_used_at", now)  # what this request reads; not flushed
    token_id: uuid.UUID = token.id

    def write(committing: Session) -> None:
        committing.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))

    event.listen(session, "before_commit", write, once=True)
