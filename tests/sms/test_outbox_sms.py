"""SMS as an outbox channel: per-person rows for those whose preferences select the alert's
severity, sent through the real Kannel chain to a fake operator; RED without content; limits
per person and per alert; a failing gateway retried without holding e-mail back."""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta
from typing import Any

from tests.alerts.factory import publish
from tests.delivery.helpers import deliveries, nobody_notified, want_email
from tests.sms.kannel import PASSWORD, USER, Kannel
from tocsin.delivery.dispatch_email import drain_email_once
from tocsin.delivery.dispatch_sms import drain_sms_once
from tocsin.delivery.models import Channel, DeliveryStatus
from tocsin.mailer import MemoryMailer
from tocsin.publication.receipts import on_delivered
from tocsin.responses import escalation
from tocsin.sms.gateway import KannelGateway, MemorySmsGateway
from tocsin.state import AppState

PHONE = "+33612345678"


def _phone(client: Any, world: Any, who: str, **more: Any) -> None:
    body = {"phone": PHONE, **more}
    answer = client.put("/api/v1/me/notifications", json=body, headers=world.auth(who))
    assert answer.status_code == 200, answer.text


async def test_a_critical_alert_reaches_the_fake_operator_through_kannel(
    client: Any, world: Any, state: AppState, kannel: Kannel
) -> None:
    nobody_notified(state)
    _phone(client, world, "so_E2", sms_severities=["critical"])
    alert = publish(client, world, "E1", severity="critical", tlp="amber",
                    title="Rançongiciel sur les serveurs PACS")  # fmt: skip
    gateway = KannelGateway(url=kannel.url, username=USER, password=PASSWORD)
    assert await drain_sms_once(state, gateway, on_delivered) == 1
    [(to, text)] = kannel.wait_for(1)
    assert to == PHONE
    assert text.startswith("tocsin · CRITIQUE · TLP:AMBER")
    assert text.endswith(f"{state.settings.public_url}/alerts/{alert['id']}")
    [row] = deliveries(state, Channel.sms)
    assert row.status is DeliveryStatus.delivered and row.user_id == world.users["so_E2"]


async def test_a_red_alert_texts_no_content(client: Any, world: Any, state: AppState) -> None:
    nobody_notified(state)
    _phone(client, world, "so_E2", sms_severities=["critical"])
    scope = {"kind": "explicit", "organisations": [str(world.ids["E2"])]}
    alert = publish(client, world, "E1", severity="critical", tlp="red", scope=scope)
    gateway = MemorySmsGateway()
    assert await drain_sms_once(state, gateway, on_delivered) == 1
    link = f"{state.settings.public_url}/alerts/{alert['id']}"
    assert gateway.sent == [(PHONE, f"tocsin : alerte TLP:RED pour vous, ouvrez tocsin : {link}")]


async def test_an_alert_texts_a_person_once_however_often_it_is_updated(
    client: Any, world: Any, state: AppState
) -> None:
    nobody_notified(state)
    _phone(client, world, "so_E2", sms_severities=["critical"])
    alert = publish(client, world, "E1", severity="critical")
    gateway = MemorySmsGateway()
    assert await drain_sms_once(state, gateway, on_delivered) == 1
    changed = client.patch(f"/api/v1/alerts/{alert['id']}", json={"summary": "More servers."},
                           headers=world.auth("E1"))  # fmt: skip
    assert changed.status_code == 200, changed.text
    assert await drain_sms_once(state, gateway, on_delivered) == 0
    skipped = [r for r in deliveries(state, Channel.sms) if r.revision == 2]
    assert [r.status for r in skipped] == [DeliveryStatus.skipped]
    assert "rate limited" in (skipped[0].last_error or "") and len(gateway.sent) == 1


async def test_a_person_gets_at_most_the_hourly_number_of_texts(
    client: Any, world: Any, state: AppState
) -> None:
    state.settings = state.settings.model_copy(update={"sms_per_user_per_hour": 2})
    nobody_notified(state)
    _phone(client, world, "so_E2", sms_severities=["critical"])
    for _ in range(3):
        publish(client, world, "E1", severity="critical")
    gateway = MemorySmsGateway()
    assert await drain_sms_once(state, gateway, on_delivered) == 2
    statuses = sorted(r.status.value for r in deliveries(state, Channel.sms))
    assert statuses == ["delivered", "delivered", "skipped"]


async def test_a_failing_gateway_is_retried_and_never_holds_the_mail_back(
    client: Any, world: Any, state: AppState
) -> None:
    nobody_notified(state)
    _phone(client, world, "so_E2", sms_severities=["critical"])
    want_email(client, world, "so_E2", ["critical"])
    publish(client, world, "E1", severity="critical")
    down = KannelGateway(url="http://127.0.0.1:9/cgi-bin/sendsms", username=USER,
                         password=PASSWORD, timeout=2)  # fmt: skip
    assert await drain_sms_once(state, down, on_delivered, random.Random(1)) == 0
    [sms] = deliveries(state, Channel.sms)
    assert sms.status is DeliveryStatus.pending and sms.attempts == 1
    assert "unreachable" in (sms.last_error or "")
    assert sms.next_attempt_at is not None and sms.next_attempt_at > state.clock.now()
    assert await drain_email_once(state, MemoryMailer(), on_delivered) == 1


async def test_silence_reminds_a_relay_person_by_one_text_per_alert(
    client: Any, world: Any, state: AppState, clock: Any
) -> None:
    nobody_notified(state)
    _phone(client, world, "so_R1", sms_severities=["critical"])
    alert = publish(client, world, "E1", severity="critical")  # E2, E3 and E4 must answer
    gateway = MemorySmsGateway()
    assert await drain_sms_once(state, gateway, on_delivered) == 1  # the alert itself
    clock.advance(timedelta(minutes=61))
    await asyncio.to_thread(escalation.run_once, state)  # the directors' stage: none here
    await asyncio.to_thread(escalation.run_once, state)  # the relays' stage
    assert await drain_sms_once(state, gateway, on_delivered) == 1
    (to, text) = gateway.sent[-1]
    assert to == PHONE
    assert text.startswith("Org E2, Org E3, Org E4 n'a pas accusé réception")
    assert text.endswith(f"{state.settings.public_url}/alerts/{alert['id']}")
