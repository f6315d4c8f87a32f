"""The exercise job: start exercises at their time, release injects, end them at theirs.

Durable: the timers are columns (`starts_at`, the injects' offsets, `ends_at`); a node that
was down catches up at its next tick.
"""

from __future__ import annotations

from tocsin.db import transaction
from tocsin.exercises import service
from tocsin.jobs import Job
from tocsin.network import service as network_service
from tocsin.state import AppState

TICK_SECONDS = 15.0


def tick(state: AppState) -> int:
    """One round of due starts, injects and ends; returns how many changes were made."""
    now = state.clock.now()
    with transaction(state.sessions) as session:
        network = network_service.load_network(session=session)
        return service.tick(session=session, network=network, now=now)


def job() -> Job:
    return Job("exercises", TICK_SECONDS, tick)
