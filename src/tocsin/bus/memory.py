"""The in-process bus: the default for a single node and the one every test can use."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from tocsin.bus.base import Handler, subject_matches
from tocsin.errors import BusUnavailable

log = logging.getLogger(__name__)

# Messages are wake-ups (the outbox holds the work), so a handler that falls this far behind
# loses the surplus rather than growing the process without bound.
SUBSCRIBER_BACKLOG = 10_000


class MemorySubscription:
    """One subscriber: its own queue and task, so a slow handler delays nobody else."""

    def __init__(self, bus: MemoryBus, pattern: str, handler: Handler, backlog: int) -> None:
        self.pattern = pattern
        self._bus = bus
        self._handler = handler
        self._queue: asyncio.Queue[tuple[str, bytes]] = asyncio.Queue(backlog)
        self._task = asyncio.create_task(self._run(), name=f"memory-bus:{pattern}")

    def offer(self, subject: str, payload: bytes) -> None:
        try:
            self._queue.put_nowait((subject, payload))
        except asyncio.QueueFull:
            log.warning("subscriber %s is behind; dropped a message on %s", self.pattern, subject)

    async def _run(self) -> None:
        while True:
            subject, payload = await self._queue.get()
            try:
                await self._handler(subject, payload)
            except Exception:
                # A failing handler must not end the subscription: the next message may succeed.
                log.exception("bus handler failed on %s", subject)

    async def unsubscribe(self) -> None:
        self._bus.forget(self)
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task


class MemoryBus:
    """Delivers each published message to every matching subscriber of this process."""

    def __init__(self, backlog: int = SUBSCRIBER_BACKLOG) -> None:
        self.backlog = backlog
        self._subscriptions: list[MemorySubscription] = []
        self._closed = False

    async def start(self) -> None:
        self._closed = False

    async def publish(self, subject: str, payload: bytes) -> None:
        if self._closed:
            raise BusUnavailable("the in-process bus is closed")
        for subscription in list(self._subscriptions):
            if subject_matches(subscription.pattern, subject):
                subscription.offer(subject, payload)

    async def subscribe(self, subject: str, handler: Handler) -> MemorySubscription:
        subscription = MemorySubscription(self, subject, handler, self.backlog)
        self._subscriptions.append(subscription)
        return subscription

    def forget(self, subscription: MemorySubscription) -> None:
        if subscription in self._subscriptions:
            self._subscriptions.remove(subscription)

    async def ping(self) -> bool:
        return not self._closed

    async def close(self) -> None:
        self._closed = True
        for subscription in list(self._subscriptions):
            await subscription.unsubscribe()
