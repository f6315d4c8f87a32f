"""Periodic work of the web interface: expired browser sessions are removed."""

from __future__ import annotations

from tocsin.db import transaction
from tocsin.jobs import Job
from tocsin.network import sessions
from tocsin.state import AppState


def purge_sessions(state: AppState) -> int:
    """Delete the sessions past their expiry; returns how many went."""
    with transaction(state.sessions) as session:
        return sessions.purge_expired(session=session, now=state.clock.now())


def jobs() -> list[Job]:
    return [Job("web.purge_sessions", 3600, purge_sessions)]
