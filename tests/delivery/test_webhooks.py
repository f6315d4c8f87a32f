"""Webhooks end to end: registration rules, signed delivery, retries, disabling, redelivery."""

from __future__ import annotations

import asyncio
import json
import random
from datetime import timedelta
from typing import Any

import pytest
from tests.alerts.factory import publish
from tests.delivery.helpers import deliveries, register_webhook
from tests.delivery.receivers import Receiver, standard_webhooks_valid

from tocsin.clock import ManualClock
from tocsin.delivery.dispatch_webhook import WebhookDispatcher
from tocsin.delivery.models import Channel, DeliveryStatus
from tocsin.delivery.service import check_webhook_url
from tocsin.delivery.webhook_client import WebhookClient, WebhookLimits
from tocsin.errors import InvalidInput
from tocsin.mailer import MemoryMailer
from tocsin.publication.receipts import on_delivered
from tocsin.state import AppState


@pytest.mark.parametrize(
    "url",
    [
        "ftp://203.0.113.9/x",
        "file:///etc/passwd",
        "http://127.0.0.1:8080/hook",
        "http://10.1.2.3/hook",
        "http://[::1]/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://user:pw@8.8.8.8/hook",
        "http:///nohost",
    ],
)
def test_unsafe_webhook_urls_are_refused(url: str) -> None:
    with pytest.raises(InvalidInput):
        check_webhook_url(url, allow_private=False)


def test_a_public_address_is_accepted_and_private_ones_only_when_allowed() -> None:
    assert check_webhook_url("https://8.8.8.8/hook", allow_private=False) == "https://8.8.8.8/hook"
    assert check_webhook_url("http://127.0.0.1:9/h", allow_private=True) == "http://127.0.0.1:9/h"


def test_the_secret_is_shown_once_and_endpoints_belong_to_their_organisation(
    client: Any, world: Any
) -> None:
    created = register_webhook(client, world, "E2", "http://127.0.0.1:9/hook")
    assert created["secret"].startswith("whsec_")
    listed = client.get("/api/v1/webhooks", headers=world.auth("E2")).json()
    assert [e["id"] for e in listed] == [created["id"]]
    assert "secret" not in listed[0]
    one = client.get(f"/api/v1/webhooks/{created['id']}", headers=world.auth("E2")).json()
    assert "secret" not in one
    assert (
        client.get(f"/api/v1/webhooks/{created['id']}", headers=world.auth("E3")).status_code == 404
    )
    assert (
        client.delete(f"/api/v1/webhooks/{created['id']}", headers=world.auth("E3")).status_code
        == 404
    )
    viewer = client.post(
        "/api/v1/webhooks", json={"url": "http://127.0.0.1:9/x"}, headers=world.auth("viewer_E2")
    )
    assert viewer.status_code == 403


def _dispatcher(state: AppState, attempt_timeout: float = 5.0) -> WebhookDispatcher:
    limits = WebhookLimits(attempt_timeout=attempt_timeout, read_timeout=attempt_timeout)
    return WebhookDispatcher(
        state, WebhookClient(limits, allow_private=True), on_delivered, rng=random.Random(7)
    )


async def test_a_receiver_gets_the_alert_signed_per_standard_webhooks(
    client: Any, world: Any, state: AppState
) -> None:
    async with Receiver() as receiver:
        hook = register_webhook(client, world, "E2", receiver.url)
        alert = publish(client, world, "E1")
        dispatcher = _dispatcher(state)
        assert await dispatcher.drain_once() == 1
        await dispatcher.client.aclose()
    [message] = receiver.received
    assert standard_webhooks_valid(hook["secret"], message.headers, message.body)
    document = json.loads(message.body)
    [row] = deliveries(state, Channel.webhook)
    assert document["type"] == "alert.publish"
    assert document["event_id"] == message.headers["webhook-id"] == str(row.event_id)
    assert document["data"]["id"] == alert["id"]
    assert document["data"]["title"] == alert["title"]
    assert row.status is DeliveryStatus.delivered
    attempts = client.get(f"/api/v1/webhooks/{hook['id']}/attempts", headers=world.auth("E2"))
    assert [(a["ok"], a["status_code"]) for a in attempts.json()["items"]] == [(True, 200)]


async def test_failures_are_retried_with_backoff_then_the_endpoint_is_disabled_and_owner_told(
    client: Any, world: Any, state: AppState, clock: ManualClock
) -> None:
    mailer = MemoryMailer()
    state.mailer = mailer
    async with Receiver(mode="fail") as receiver:
        hook = register_webhook(client, world, "E2", receiver.url)
        publish(client, world, "E1")
        dispatcher = _dispatcher(state)
        assert await dispatcher.drain_once() == 1
        [row] = deliveries(state, Channel.webhook)
        assert row.status is DeliveryStatus.pending and row.attempts == 1
        assert row.next_attempt_at is not None and row.next_attempt_at > clock.now()
        assert await dispatcher.drain_once() == 0  # not due yet
        for _ in range(60):  # walk the clock through the 24-hour window
            clock.advance(timedelta(hours=1))
            await dispatcher.drain_once()
        await dispatcher.client.aclose()
    [row] = deliveries(state, Channel.webhook)
    assert row.status is DeliveryStatus.failed
    attempts = client.get(
        f"/api/v1/webhooks/{hook['id']}/attempts?limit=1000", headers=world.auth("E2")
    ).json()["items"]
    assert len(attempts) == row.attempts == len(receiver.received) > 2
    assert all(a["status_code"] == 500 and not a["ok"] for a in attempts)
    assert len({m.headers["webhook-id"] for m in receiver.received}) == 1
    assert len({m.body for m in receiver.received}) == 1
    endpoint = client.get(f"/api/v1/webhooks/{hook['id']}", headers=world.auth("E2")).json()
    assert endpoint["active"] is False and endpoint["disabled_at"] is not None
    assert [m["To"] for m in mailer.sent] == ["so_e2@test.example.org"]
    assert "disabled" in str(mailer.sent[0]["Subject"])


async def test_redeliver_sends_the_same_event_again(
    client: Any, world: Any, state: AppState
) -> None:
    async with Receiver() as receiver:
        hook = register_webhook(client, world, "E2", receiver.url)
        publish(client, world, "E1")
        dispatcher = _dispatcher(state)
        await dispatcher.drain_once()
        [row] = deliveries(state, Channel.webhook)
        answer = client.post(
            f"/api/v1/webhooks/{hook['id']}/deliveries/{row.seq}/redeliver",
            headers=world.auth("E2"),
        )
        assert answer.status_code == 202, answer.text
        assert await dispatcher.drain_once() == 1
        await dispatcher.client.aclose()
    first, second = receiver.received
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert first.body == second.body
    other = client.post(
        f"/api/v1/webhooks/{hook['id']}/deliveries/{row.seq}/redeliver", headers=world.auth("E3")
    )
    assert other.status_code == 404


async def test_a_hanging_endpoint_does_not_slow_the_others(
    client: Any, world: Any, state: AppState
) -> None:
    async with Receiver(mode="hang") as stuck, Receiver() as healthy:
        register_webhook(client, world, "E2", stuck.url)
        register_webhook(client, world, "E3", healthy.url)
        publish(client, world, "E1")
        dispatcher = _dispatcher(state, attempt_timeout=30.0)
        assert await dispatcher.pump() == 2
        # The healthy receiver is answered and recorded while the other still hangs.
        await asyncio.wait_for(healthy.arrived.wait(), 10)
        for _ in range(500):
            if any(
                r.status is DeliveryStatus.delivered for r in deliveries(state, Channel.webhook)
            ):
                break
            await asyncio.sleep(0.02)
        assert stuck.received and stuck.received[0] is not None
        statuses = {
            world.name_of(r.recipient_org_id): r.status for r in deliveries(state, Channel.webhook)
        }
        assert statuses == {"E2": DeliveryStatus.pending, "E3": DeliveryStatus.delivered}
        await dispatcher.stop()
        await dispatcher.client.aclose()


async def test_an_endpoint_that_hangs_holds_only_its_share_while_the_others_are_delivered(
    client: Any, world: Any, state: AppState
) -> None:
    async with Receiver(mode="hang") as stuck, Receiver() as healthy:
        register_webhook(client, world, "E2", stuck.url)
        register_webhook(client, world, "E3", healthy.url)
        for _ in range(6):
            publish(client, world, "E1")
        dispatcher = _dispatcher(state, attempt_timeout=30.0)
        share = dispatcher.client.limits.per_endpoint
        assert await dispatcher.pump() == 12
        for _ in range(500):
            statuses = [
                r.status for r in deliveries(state, Channel.webhook)
                if world.name_of(r.recipient_org_id) == "E3"
            ]  # fmt: skip
            if statuses == [DeliveryStatus.delivered] * 6:
                break
            await asyncio.sleep(0.02)
        assert statuses == [DeliveryStatus.delivered] * 6
        # The hanging endpoint got no more requests at once than its share.
        assert len(stuck.received) == share < 6
        await dispatcher.stop()
        await dispatcher.client.aclose()
