"""E-mail delivery against a real aiosmtpd server: preferences, TLP subject, no RED content."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import pytest
from tests.alerts.factory import alert_body, publish
from tests.delivery.helpers import deliveries, want_email
from tests.delivery.receivers import free_port
from tests.mailbox import Inbox, smtp_server, text_of

from tocsin.delivery.dispatch_email import drain_email_once
from tocsin.delivery.models import Channel, DeliveryStatus
from tocsin.indicators.normalize import defang
from tocsin.mailer import SMTPMailer
from tocsin.publication.receipts import on_delivered
from tocsin.state import AppState

pytestmark = pytest.mark.usefixtures("quiet")  # only the people a test opts in


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, SMTPMailer]]:
    with smtp_server() as server:
        yield server


_text = text_of


async def test_an_amber_alert_is_mailed_with_its_label_and_defanged_indicators(
    client: Any, world: Any, state: AppState, smtp: tuple[Inbox, SMTPMailer]
) -> None:
    inbox, mailer = smtp
    want_email(client, world, "so_E2", ["critical"])
    alert = publish(client, world, "E1", severity="critical", tlp="amber")
    assert await drain_email_once(state, mailer, on_delivered) == 1
    [(to, message)] = inbox.messages
    assert to == ["so_e2@test.example.org"]
    assert str(message["Subject"]).startswith("[TLP:AMBER] [CRITIQUE] ")
    text = _text(message)
    assert alert["summary"] in text
    for indicator in alert["indicators"]:
        if indicator["type"] in ("domain", "ipv4", "url"):  # hashes have nothing to defang
            assert indicator["value"] not in text
        assert defang(indicator["value"], indicator["type"]) in text
    [row] = deliveries(state, Channel.email)
    assert row.status is DeliveryStatus.delivered
    assert message["X-Tocsin-Event-Id"] == str(row.event_id)


async def test_a_red_alert_sends_a_link_and_no_content(
    client: Any, world: Any, state: AppState, smtp: tuple[Inbox, SMTPMailer]
) -> None:
    inbox, mailer = smtp
    want_email(client, world, "so_E2", ["critical"])
    scope = {"kind": "explicit", "organisations": [str(world.ids["E2"])]}
    alert = publish(client, world, "E1", tlp="red", scope=scope)
    assert await drain_email_once(state, mailer, on_delivered) == 1
    [(_, message)] = inbox.messages
    assert str(message["Subject"]).startswith("[TLP:RED]")
    text = _text(message)
    assert f"{state.settings.public_url}/alerts/{alert['id']}" in text
    assert alert["summary"] not in text
    assert all(defang(i["value"], i["type"]) not in text for i in alert["indicators"])
    assert "LockBit" not in text


async def test_an_unreachable_mail_server_is_retried_later(
    client: Any, world: Any, state: AppState
) -> None:
    want_email(client, world, "so_E2", ["critical"])
    publish(client, world, "E1")
    down = SMTPMailer(host="127.0.0.1", port=free_port(), timeout=2)
    assert await drain_email_once(state, down, on_delivered, random.Random(1)) == 0
    [row] = deliveries(state, Channel.email)
    assert row.status is DeliveryStatus.pending and row.attempts == 1
    assert row.next_attempt_at is not None and row.next_attempt_at > state.clock.now()


async def test_the_mail_names_the_establishment_hit_and_who_published(
    client: Any, world: Any, state: AppState, smtp: tuple[Inbox, SMTPMailer]
) -> None:
    inbox, mailer = smtp
    want_email(client, world, "so_E4", ["critical"])
    body = alert_body(severity="critical", affected_organisation=str(world.ids["E1"]))
    created = client.post("/api/v1/alerts", json=body, headers=world.auth("R1")).json()
    client.post(f"/api/v1/alerts/{created['id']}/publish", headers=world.auth("R1"))
    assert await drain_email_once(state, mailer, on_delivered) == 1
    [(_, message)] = inbox.messages
    text = _text(message)
    assert "Établissement touché : Org E1" in text and "Publiée par : Org R1" in text
