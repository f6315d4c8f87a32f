"""The relay deadline job: publish the shareable part of declarations no relay qualified.

Durable: the timer is the `relay_deadline` column. Each tick claims the due rows in its
own transaction (FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite serialises writers), so two
nodes never publish the same declaration twice. A declaration that cannot be published
(e.g. no relay above it) is recorded as failed and its timer stopped, not retried forever.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from tocsin.audit.service import SYSTEM
from tocsin.db import transaction
from tocsin.errors import TocsinError
from tocsin.jobs import Job
from tocsin.network import service as network_service
from tocsin.relay import publishing, service
from tocsin.relay.models import Declaration
from tocsin.relay.notify import notify_relays
from tocsin.relay.vocab import DeclarationStatus, HistoryAction
from tocsin.sharing.rules import Network
from tocsin.state import AppState

log = logging.getLogger(__name__)

TICK_SECONDS = 15.0
BATCH = 100


def deadline_tick(state: AppState) -> list[uuid.UUID]:
    """Auto-publish every open declaration past its relay deadline; returns their ids."""
    now = state.clock.now()
    done: list[uuid.UUID] = []
    with transaction(state.sessions) as session:
        query = (
            select(Declaration)
            .where(Declaration.status == DeclarationStatus.open)
            .where(Declaration.relay_deadline <= now)
            .order_by(Declaration.relay_deadline)
            .limit(BATCH)
            .with_for_update(skip_locked=True)
        )
        due = list(session.scalars(query))
        if not due:
            return done
        network = network_service.load_network(session=session)
        for declaration in due:
            try:
                with session.begin_nested():
                    publishing.auto_publish(
                        session=session, declaration=declaration, network=network, now=now,
                        language=state.settings.language,
                    )  # fmt: skip
                done.append(declaration.id)
            except TocsinError as exc:
                log.warning("automatic publication of %s failed: %s", declaration.id, exc)
                _record_failure(session, declaration, network, str(exc), now)
            except SQLAlchemyError:
                raise  # the database is in trouble: roll back, the next tick retries
            except Exception as exc:  # a bug on one row must not block every later deadline
                log.exception("automatic publication of %s crashed", declaration.id)
                _record_failure(session, declaration, network, str(exc), now)
    return done


def _record_failure(
    session: Session, declaration: Declaration, network: Network, reason: str, now: datetime
) -> None:
    """Stop the timer, keep why in the history, and tell the relays a human must act."""
    declaration.relay_deadline = None
    service.record_change(
        session=session,
        declaration=declaration,
        by=SYSTEM,
        now=now,
        note=reason,
        action=HistoryAction.auto_publish_failed,
        fields=[],
    )
    notify_relays(
        session=session,
        declaration=declaration,
        event="auto_publish_failed",
        network=network,
        now=now,
        details={"reason": reason},
    )


DEADLINE_JOB = Job(name="relay-deadlines", every_seconds=TICK_SECONDS, tick=deadline_tick)
