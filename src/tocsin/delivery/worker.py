"""The node's delivery worker: wake-ups after commit, the dispatch loop, the hub relay.

A dispatching node sends the live events of a revision right after its commit, straight
from its fan-out, then expands the fan-out into deliveries (`dispatch_live.spread`); its
"fanout" loop expands those a node left behind.

After a transaction that wrote the outbox commits, a wake-up goes on the bus
(`<stream>.outbox`) for every node, and this node's loop is woken directly. A wake-up
lost (bus down, node busy) costs at most one poll interval: the loop also runs every
`delivery_poll_seconds`. Publishing never happens inside the transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable

from sqlalchemy import event
from sqlalchemy.orm import Session

from tocsin.bus.base import Bus, Subscription
from tocsin.delivery.dispatch_email import drain_email_once
from tocsin.delivery.dispatch_live import (
    Spreader,
    drain_live_once,
    expand_due_once,
    relay_to_hub,
)
from tocsin.delivery.dispatch_sms import drain_sms_once
from tocsin.delivery.dispatch_webhook import WebhookDispatcher
from tocsin.delivery.fanout import DEFERRED, FANOUT_FLAG
from tocsin.delivery.outbox import OUTBOX_FLAG
from tocsin.delivery.receipts import OnDelivered
from tocsin.errors import BusUnavailable
from tocsin.livehub import LiveHub
from tocsin.mailer import Mailer
from tocsin.sms.gateway import MemorySmsGateway
from tocsin.state import AppState

log = logging.getLogger(__name__)

BUS_RETRY_SECONDS = 2.0


class DeliveryWorker:
    """Everything delivery runs in one node; `start` in the lifespan, `stop` on the way out."""

    def __init__(
        self,
        *,
        state: AppState,
        bus: Bus,
        hub: LiveHub,
        webhooks: WebhookDispatcher,
        mailer: Mailer,
        on_delivered: OnDelivered,
        dispatch: bool,
    ) -> None:
        self.state = state
        self.bus = bus
        self.hub = hub
        self.webhooks = webhooks
        self.mailer = mailer
        self.on_delivered = on_delivered
        self.dispatch = dispatch
        # One wake-up flag per channel: each channel drains in its own loop, so a slow mail
        # server or a burst of webhooks never holds the live stream back.
        self._wakes = {
            name: asyncio.Event() for name in ("fanout", "live", "webhook", "email", "sms")
        }
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._subscriptions: list[Subscription] = []
        self._background: set[asyncio.Task[object]] = set()
        self._spreader = Spreader(state, bus, on_delivered, hub)

    @property
    def stream(self) -> str:
        return self.state.settings.bus_stream

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        if self.dispatch:  # this node expands fan-outs after the commit, not the committer
            self.state.sessions.configure(info={**self._session_info(), DEFERRED: True})
        event.listen(self.state.sessions, "after_commit", self._after_commit)
        event.listen(self.state.sessions, "after_rollback", self._after_rollback)
        if not await self._try_bus():
            self._tasks.append(asyncio.create_task(self._connect_bus(), name="delivery-bus"))
        if self.dispatch:
            self._tasks += [
                asyncio.create_task(self._run(name, once), name=f"delivery-{name}")
                for name, once in self._channels().items()
            ]

    async def _try_bus(self) -> bool:
        """Start the bus and subscribe the hub relay and the wake-ups; False if unreachable."""
        try:
            await self.bus.start()
            self._subscriptions.append(await relay_to_hub(self.bus, self.stream, self.hub))
            self._subscriptions.append(
                await self.bus.subscribe(f"{self.stream}.outbox", self._on_wakeup)
            )
        except BusUnavailable as exc:
            log.warning("bus unavailable at start, retrying: %s", exc)
            return False
        return True

    async def _connect_bus(self) -> None:
        # The API serves meanwhile; the outbox keeps the work until the bus is back.
        while not await self._try_bus():
            await asyncio.sleep(BUS_RETRY_SECONDS)

    async def _on_wakeup(self, _subject: str, _payload: bytes) -> None:
        self._wake_all()

    def _wake_all(self) -> None:
        for flag in self._wakes.values():
            flag.set()

    def _session_info(self) -> dict[str, object]:
        return dict(self.state.sessions.kw.get("info", {}))

    def _after_commit(self, session: Session) -> None:
        fanouts = session.info.pop(FANOUT_FLAG, None) if self.dispatch else None
        if fanouts and self._loop is not None:
            self._loop.call_soon_threadsafe(self._spread, fanouts)
        if session.info.pop(OUTBOX_FLAG, None) and self._loop is not None:
            self._loop.call_soon_threadsafe(self._announce)

    def _spread(self, fanouts: set[uuid.UUID]) -> None:
        # Tasks start in the order the commits were seen; the spreader keeps that order.
        task = asyncio.create_task(self._spreader(fanouts))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def _after_rollback(self, session: Session) -> None:
        session.info.pop(OUTBOX_FLAG, None)

    def _announce(self) -> None:
        self._wake_all()
        task = asyncio.create_task(self._publish_wakeup())
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _publish_wakeup(self) -> None:
        try:
            await self.bus.publish(f"{self.stream}.outbox", b"")
        except BusUnavailable as exc:  # other nodes will poll; the API must not fail
            log.warning("outbox wake-up not published: %s", exc)

    def _channels(self) -> dict[str, Callable[[], Awaitable[int]]]:
        return {
            "fanout": lambda: expand_due_once(self.state, self.on_delivered),
            "live": lambda: drain_live_once(self.state, self.bus, self.on_delivered),
            "webhook": self.webhooks.pump,
            "email": lambda: drain_email_once(self.state, self.mailer, self.on_delivered),
            "sms": lambda: drain_sms_once(
                self.state, self.state.sms or MemorySmsGateway(), self.on_delivered
            ),
        }

    async def drain(self) -> int:
        """Run every channel until nothing is due; returns how many deliveries went out."""
        total = 0
        for once in self._channels().values():
            while sent := await once():
                total += sent
        return total

    async def _run(self, name: str, once: Callable[[], Awaitable[int]]) -> None:
        poll = self.state.settings.delivery_poll_seconds
        wake = self._wakes[name]
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), poll)
            wake.clear()
            try:
                while await once():
                    pass
            except Exception:  # a database hiccup must not end delivery: next poll retries
                log.exception("%s delivery failed", name)

    async def stop(self) -> None:
        if self.dispatch:
            info = self._session_info()
            info.pop(DEFERRED, None)
            self.state.sessions.configure(info=info)
        event.remove(self.state.sessions, "after_commit", self._after_commit)
        event.remove(self.state.sessions, "after_rollback", self._after_rollback)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.webhooks.stop()
        for subscription in self._subscriptions:
            with contextlib.suppress(Exception):
                await subscription.unsubscribe()
        self.hub.close_all()
