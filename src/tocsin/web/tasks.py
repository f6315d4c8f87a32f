"""Periodic work of the web interface: expired sessions and unfinished sign-ins are removed."""

from __future__ import annotations

from datetime import timedelta

from tocsin.db import transaction
from tocsin.identity import lockout, signin
from tocsin.jobs import Job
from tocsin.network import sessions
from tocsin.state import AppState


def purge_sessions(state: AppState) -> int:
    """Delete the sessions past their expiry or idle too long, the second steps and
    single sign-ons left unfinished, and the lockout counts that have lapsed; returns how
    many sessions went."""
    idle = timedelta(minutes=state.settings.session_idle_minutes)
    now = state.clock.now()
    with transaction(state.sessions) as session:
        ended = sessions.purge_expired(session=session, now=now, idle=idle)
        signin.purge_unfinished(session=session, now=now)
        lockout.purge(session=session, now=now)
        return ended


def jobs() -> list[Job]:
    return [Job("web.purge_sessions", 600, purge_sessions)]
