"""NATS JetStream bus: one stream shared by every tocsin node, ephemeral ordered consumers.

The stream keeps 24 hours of wake-ups on file storage; each subscription reads only messages
published after it started. When the server goes away the client reconnects forever: meanwhile
`publish` fails fast with `BusUnavailable` (the outbox keeps the work) and `ping()` is False;
the ordered consumers notice the missing heartbeats and re-create themselves once it is back.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import nats
import nats.errors
import nats.js.errors
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription as CoreSubscription
from nats.js import JetStreamContext
from nats.js.api import ConsumerConfig, DeliverPolicy, StorageType, StreamConfig

from tocsin.bus.base import Handler
from tocsin.errors import BusUnavailable

log = logging.getLogger(__name__)

STREAM_MAX_AGE_SECONDS = 24 * 3600.0
# Missing two heartbeats makes an ordered consumer re-create itself: ~4 s after a restart.
CONSUMER_HEARTBEAT_SECONDS = 2.0


class NatsSubscription:
    """A bus subscription backed by one JetStream ordered consumer."""

    def __init__(self, inner: CoreSubscription) -> None:
        self._inner = inner

    async def unsubscribe(self) -> None:
        with contextlib.suppress(nats.errors.Error):
            await self._inner.unsubscribe()


class NatsBus:
    """The bus over NATS JetStream; subjects must start with `<stream>.`."""

    def __init__(
        self,
        *,
        servers: list[str],
        stream: str,
        operation_timeout: float = 2.0,
        reconnect_wait: float = 0.5,
    ) -> None:
        self.servers = servers
        self.stream = stream
        self.operation_timeout = operation_timeout
        self.reconnect_wait = reconnect_wait
        self._client: Client | None = None
        self._js: JetStreamContext | None = None

    async def start(self) -> None:
        """Connect and ensure the stream; raises `BusUnavailable` if NATS cannot be reached."""
        try:
            self._client = await asyncio.wait_for(self._connect(), self.operation_timeout * 2)
            self._js = self._client.jetstream(timeout=self.operation_timeout)
            await self._ensure_stream(self._js)
        except (TimeoutError, OSError, nats.errors.Error) as exc:
            await self.close()
            raise BusUnavailable(
                f"cannot reach NATS at {', '.join(self.servers)}: {exc!r}"
            ) from exc

    async def _connect(self) -> Client:
        return await nats.connect(
            servers=self.servers,
            allow_reconnect=True,
            max_reconnect_attempts=-1,
            reconnect_time_wait=self.reconnect_wait,
            connect_timeout=int(max(1, self.operation_timeout)),
            error_cb=self._on_error,
            disconnected_cb=self._on_disconnected,
            reconnected_cb=self._on_reconnected,
            name=f"tocsin:{self.stream}",
        )

    async def _ensure_stream(self, js: JetStreamContext) -> None:
        config = StreamConfig(
            name=self.stream,
            subjects=[f"{self.stream}.>"],
            max_age=STREAM_MAX_AGE_SECONDS,
            storage=StorageType.FILE,
        )
        try:
            await js.add_stream(config)
        except nats.js.errors.BadRequestError:
            # The stream exists with another configuration (e.g. an older max age): align it.
            await js.update_stream(config)

    def _jetstream(self) -> JetStreamContext:
        if self._js is None or self._client is None or not self._client.is_connected:
            raise BusUnavailable("NATS is not connected")
        return self._js

    async def publish(self, subject: str, payload: bytes) -> None:
        js = self._jetstream()
        try:
            await asyncio.wait_for(js.publish(subject, payload), self.operation_timeout)
        except (TimeoutError, nats.errors.Error) as exc:
            raise BusUnavailable(f"NATS did not take {subject}: {exc!r}") from exc

    async def subscribe(self, subject: str, handler: Handler) -> NatsSubscription:
        js = self._jetstream()

        async def on_message(msg: Msg) -> None:
            try:
                await handler(msg.subject, msg.data)
            except Exception:
                log.exception("bus handler failed on %s", msg.subject)

        try:
            inner = await js.subscribe(
                subject,
                cb=on_message,
                ordered_consumer=True,
                idle_heartbeat=CONSUMER_HEARTBEAT_SECONDS,
                config=ConsumerConfig(deliver_policy=DeliverPolicy.NEW),
            )
        except (TimeoutError, nats.errors.Error) as exc:
            raise BusUnavailable(f"cannot subscribe to {subject}: {exc!r}") from exc
        return NatsSubscription(inner)

    async def ping(self) -> bool:
        client = self._client
        if client is None or not client.is_connected:
            return False
        try:
            await client.flush(timeout=int(max(1, self.operation_timeout)))
        except (TimeoutError, nats.errors.Error):
            return False
        return True

    async def close(self) -> None:
        client, self._client, self._js = self._client, None, None
        if client is not None and not client.is_closed:
            with contextlib.suppress(nats.errors.Error, TimeoutError):
                await client.drain()
            with contextlib.suppress(nats.errors.Error, TimeoutError):
                await client.close()

    async def _on_error(self, exc: Exception) -> None:
        log.warning("NATS error on %s: %r", self.stream, exc)

    async def _on_disconnected(self) -> None:
        log.warning("NATS disconnected; reconnecting to %s", ", ".join(self.servers))

    async def _on_reconnected(self, *_args: Any) -> None:
        log.info("NATS reconnected")
