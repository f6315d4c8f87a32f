"""Starting and stopping the delivery parts of a node (called from the app's lifespan).

Parts already on the state (a test's bus, mailer or live hub) are kept; the others are
built from settings: the bus (`make_bus`), the live hub, the mailer (SMTP when
`smtp_host` is set, else in memory), the SMS gateway (Kannel when `sms_url` is set), the
webhook client and dispatcher, and the worker.
`stop_delivery` takes down only what `start_delivery` built.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tocsin.bus import make_bus
from tocsin.delivery.dispatch_webhook import WebhookDispatcher
from tocsin.delivery.receipts import OnDelivered
from tocsin.delivery.webhook_client import WebhookClient, WebhookLimits
from tocsin.delivery.worker import DeliveryWorker
from tocsin.livehub import LiveHub
from tocsin.mailer import mailer_from
from tocsin.settings import Settings
from tocsin.sms.gateway import gateway_from
from tocsin.state import AppState


def webhook_limits(settings: Settings) -> WebhookLimits:
    timeout = settings.webhook_timeout_seconds
    return WebhookLimits(
        connect_timeout=min(5.0, timeout), read_timeout=timeout, attempt_timeout=timeout
    )


@dataclass
class RunningDelivery:
    """What `start_delivery` started, for `stop_delivery` to take down."""

    worker: DeliveryWorker
    client: WebhookClient
    built: list[str] = field(default_factory=list)  # state fields this module filled


async def start_delivery(state: AppState, *, on_delivered: OnDelivered) -> RunningDelivery:
    """Build what is missing, start the bus and, if `run_workers`, the dispatch loops."""
    settings = state.settings
    built: list[str] = []
    if state.bus is None:
        state.bus = make_bus(settings.bus_url, settings.bus_stream)
        built.append("bus")
    if state.live_hub is None:
        state.live_hub = LiveHub()
        built.append("live_hub")
    if state.mailer is None:
        state.mailer = mailer_from(settings)
        built.append("mailer")
    if state.sms is None:
        state.sms = gateway_from(settings)
        built.append("sms")
    client = WebhookClient(webhook_limits(settings), allow_private=settings.webhook_allow_private)
    worker = DeliveryWorker(
        state=state, bus=state.bus, hub=state.live_hub,
        webhooks=WebhookDispatcher(state, client, on_delivered), mailer=state.mailer,
        on_delivered=on_delivered, dispatch=settings.run_workers,
    )  # fmt: skip
    await worker.start()
    return RunningDelivery(worker=worker, client=client, built=built)


async def stop_delivery(state: AppState, running: RunningDelivery) -> None:
    """Stop the worker, then close and forget what `start_delivery` built."""
    await running.worker.stop()
    await running.client.aclose()
    if "bus" in running.built and state.bus is not None:
        await state.bus.close()
        state.bus = None
    if "live_hub" in running.built:
        state.live_hub = None
    if "mailer" in running.built:
        state.mailer = None
    if "sms" in running.built:
        state.sms = None
