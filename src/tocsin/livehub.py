"""The in-process hub behind the live stream (`GET /api/v1/stream`, Server-Sent Events).

Each open stream is a `Connection` with a bounded queue. Delivery never waits: when a
subscriber has stopped reading and its queue is full, the connection is dropped, its queue
emptied, and the stream ends; the client reconnects with `Last-Event-ID` and the endpoint
replays what it missed from the database, which holds the truth. Heartbeats are the
endpoint's business.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Hashable
from dataclasses import dataclass
from uuid import UUID

DEFAULT_QUEUE_SIZE = 256


@dataclass(frozen=True, slots=True)
class LiveEvent:
    """One SSE event: `id` (for Last-Event-ID), `event` (its type) and `data` (JSON text)."""

    id: str
    event: str
    data: str


class Connection:
    """One open stream of one organisation; `key` says who opened it (e.g. a token id)."""

    # A deque and one waiter rather than an asyncio.Queue: a queue brings three deques and an
    # Event of its own, about 3 KB for every idle stream of a node.
    __slots__ = ("_pending", "_waiter", "closed", "key", "org_id", "queue_size")

    def __init__(self, org_id: UUID, key: Hashable, queue_size: int) -> None:
        self.org_id = org_id
        self.key = key
        self.queue_size = queue_size
        self.closed = False
        self._pending: deque[LiveEvent | None] = deque()
        self._waiter: asyncio.Future[None] | None = None

    def offer(self, event: LiveEvent) -> bool:
        """Queue an event without waiting; False when the reader has fallen too far behind."""
        if self.closed or len(self._pending) >= self.queue_size:
            return False
        self._pending.append(event)
        self._wake()
        return True

    async def next_event(self) -> LiveEvent | None:
        """The next event, or None once the connection is closed (the stream must end)."""
        while not self._pending:
            if self.closed:
                return None
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        event = self._pending.popleft()
        if event is None:
            self.closed = True
        return event

    def close(self, *, discard_pending: bool) -> None:
        """Mark closed and wake the reader; a dropped reader loses its backlog (it will replay)."""
        if self.closed:
            return
        self.closed = True
        if discard_pending:
            self._pending.clear()
        self._pending.append(None)
        self._wake()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)


class LiveHub:
    """Fans events out to the open streams of each organisation of this node."""

    def __init__(self, queue_size: int = DEFAULT_QUEUE_SIZE) -> None:
        self.queue_size = queue_size
        self._by_org: dict[UUID, set[Connection]] = {}

    def connect(self, org_id: UUID, key: Hashable) -> Connection:
        """Open a stream for `org_id`; the caller must `disconnect` it when the client leaves."""
        connection = Connection(org_id, key, self.queue_size)
        self._by_org.setdefault(org_id, set()).add(connection)
        return connection

    def disconnect(self, connection: Connection) -> None:
        connection.close(discard_pending=True)
        connections = self._by_org.get(connection.org_id)
        if connections is not None:
            connections.discard(connection)
            if not connections:
                del self._by_org[connection.org_id]

    def deliver(self, org_id: UUID, event: LiveEvent) -> int:
        """Queue `event` on every stream of `org_id` without waiting; returns how many took it."""
        connections = self._by_org.get(org_id)
        if not connections:
            return 0
        lagging = [connection for connection in connections if not connection.offer(event)]
        for connection in lagging:
            self.disconnect(connection)
        return len(connections) if org_id in self._by_org else 0

    def backlog(self) -> int:
        """Events queued on this node's streams and not yet taken by their readers."""
        return sum(len(c._pending) for cs in self._by_org.values() for c in cs)

    async def settled(self, *, first_wait: float = 0.01, limit: float = 2.0) -> bool:
        """Wait, at most `limit` seconds, until the streams have taken what was queued (after
        `first_wait`, the time a bus message takes to come back to this node); whether they
        did. Work that follows a fan-out (its rows, the receipts) runs in threads that compete
        with the streams for the interpreter: at 3,000 streams it doubled their latency."""
        loop = asyncio.get_running_loop()
        until = loop.time() + limit
        await asyncio.sleep(first_wait)
        while self.backlog():
            if loop.time() >= until:
                return False
            await asyncio.sleep(0.005)
        return True

    def holds(self, org_id: UUID) -> bool:
        """Whether this node has an open stream for `org_id`."""
        return org_id in self._by_org

    def connection_count(self, org_id: UUID | None = None) -> int:
        """Open streams of one organisation, or of all of them."""
        if org_id is not None:
            return len(self._by_org.get(org_id, ()))
        return sum(len(connections) for connections in self._by_org.values())

    def close_all(self) -> None:
        """End every stream (node shutdown); clients reconnect to another node."""
        for connections in list(self._by_org.values()):
            for connection in list(connections):
                self.disconnect(connection)
