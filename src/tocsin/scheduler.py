"""Periodic jobs of a node (deadlines, escalations, retries), run in the app's lifespan.

Timers are durable because they are rows: each job's `tick` asks the database what is due
at `clock.now()` and acts, in its own transaction. Nothing is kept in memory, so a restart
loses nothing, and tests call the ticks directly with a ManualClock instead of sleeping.
Several nodes may tick at once: each job must claim its rows (status change in the same
transaction, or SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL) so work is done once.
"""

from __future__ import annotations

import asyncio
import logging

from tocsin.jobs import Job
from tocsin.state import AppState

log = logging.getLogger(__name__)


class Scheduler:
    """Runs each job's tick in a worker thread, one after the other, forever."""

    def __init__(self, state: AppState, jobs: list[Job]) -> None:
        self._state = state
        self._jobs = jobs
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._loop(job), name=job.name) for job in self._jobs]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []

    async def _loop(self, job: Job) -> None:
        while True:
            try:
                await asyncio.to_thread(job.tick, self._state)
            except Exception:  # a failing tick is logged and retried, never kills the node
                log.exception("scheduled job %s failed", job.name)
            await asyncio.sleep(job.every_seconds)
