"""Building and stopping the delivery parts of a node (called from the app's lifespan).

Components already in `state.components` (a test's bus or mailer) are kept; the others are
built from settings: the bus (`make_bus`), the live hub, the webhook client and dispatcher,
the mailer (SMTP when `smtp_host` is set, else in memory) and the worker.
"""

from __future__ import annotations

from tocsin.bus import make_bus
from tocsin.delivery.dispatch_webhook import WebhookDispatcher
from tocsin.delivery.live import LiveHub
from tocsin.delivery.mailer import Mailer, MemoryMailer, SMTPMailer
from tocsin.delivery.webhook_client import WebhookClient, WebhookLimits
from tocsin.delivery.worker import DeliveryWorker
from tocsin.settings import Settings
from tocsin.state import AppState

BUILT = "delivery.built"  # names of the components this module built, to take them down


def make_mailer(settings: Settings) -> Mailer:
    if settings.smtp_host:
        password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
        return SMTPMailer(
            host=settings.smtp_host, port=settings.smtp_port, username=settings.smtp_username,
            password=password, starttls=settings.smtp_starttls,
        )  # fmt: skip
    return MemoryMailer()


def webhook_limits(settings: Settings) -> WebhookLimits:
    timeout = settings.webhook_timeout_seconds
    return WebhookLimits(
        connect_timeout=min(5.0, timeout), read_timeout=timeout, attempt_timeout=timeout
    )


async def start_delivery(state: AppState) -> DeliveryWorker:
    """Build what is missing, start the bus and, if `run_workers`, the dispatch loop."""
    settings = state.settings
    parts = state.components
    built = [
        name
        for name, factory in (
            ("bus", lambda: make_bus(settings.bus_url, settings.bus_stream)),
            ("live_hub", LiveHub),
            ("mailer", lambda: make_mailer(settings)),
            ("webhook_client", lambda: WebhookClient(webhook_limits(settings))),
        )
        if name not in parts and parts.setdefault(name, factory()) is not None
    ]
    parts["webhook_dispatcher"] = WebhookDispatcher(state, parts["webhook_client"])
    worker = DeliveryWorker(
        state=state, bus=parts["bus"], hub=parts["live_hub"],
        webhooks=parts["webhook_dispatcher"], mailer=parts["mailer"],
        dispatch=settings.run_workers,
    )  # fmt: skip
    parts["delivery"] = worker
    parts[BUILT] = built
    await worker.start()
    return worker


async def stop_delivery(state: AppState) -> None:
    """Stop the worker, then close and forget what `start_delivery` built."""
    parts = state.components
    worker: DeliveryWorker | None = parts.pop("delivery", None)
    if worker is not None:
        await worker.stop()
    parts.pop("webhook_dispatcher", None)
    for name in parts.pop(BUILT, []):
        component = parts.pop(name)
        if name == "bus":
            await component.close()
        elif name == "webhook_client":
            await component.aclose()
