"""The outbox: rows written with each revision, claimed with leases, in revision order."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from tests.alerts.factory import alert_body, publish
from tests.delivery.helpers import (
    choose_email_on_the_page,
    deliveries,
    register_webhook,
    want_email,
)

from tocsin.clock import ManualClock
from tocsin.db import transaction
from tocsin.delivery import outbox
from tocsin.delivery.models import Channel, DeliveryStatus
from tocsin.state import AppState

pytestmark = pytest.mark.usefixtures("quiet")  # only the people a test opts in

LEASE = timedelta(seconds=30)
REGION_R1_BUT_E1 = {"R1", "G1", "G2", "E2", "E3", "E4"}


def _names(world: Any, rows: list[Any]) -> set[str]:
    return {world.name_of(r.recipient_org_id) for r in rows}


def _claim(state: AppState, channel: Channel = Channel.live, limit: int = 100) -> list[Any]:
    with transaction(state.sessions) as session:
        return outbox.claim(
            session, channel=channel, now=state.clock.now(), lease=LEASE, limit=limit
        )


def test_publishing_writes_one_live_delivery_per_recipient(
    client: Any, world: Any, state: AppState
) -> None:
    alert = publish(client, world, "E1")
    rows = deliveries(state)
    assert _names(world, rows) == REGION_R1_BUT_E1
    assert {r.channel for r in rows} == {Channel.live}
    assert all(r.status is DeliveryStatus.pending and r.revision == 1 for r in rows)
    assert all(str(r.alert_id) == alert["id"] for r in rows)
    assert len({r.event_id for r in rows}) == len(rows)


def test_event_ids_are_stable_functions_of_alert_revision_recipient_and_channel(
    client: Any, world: Any, state: AppState
) -> None:
    publish(client, world, "E1")
    for row in deliveries(state):
        again = outbox.event_id(
            row.alert_id, row.revision, row.recipient_org_id, row.channel, row.recipient_org_id
        )
        assert again == row.event_id


def test_webhook_and_email_rows_follow_endpoints_and_preferences(
    client: Any, world: Any, state: AppState
) -> None:
    register_webhook(client, world, "E2", "https://hooks.example.org/tocsin")
    want_email(client, world, "so_E3", ["critical"])
    choose_email_on_the_page(state, world, "viewer_E3", ["low"])  # not this severity: no mail
    publish(client, world, "E1", severity="critical")
    assert _names(world, deliveries(state, Channel.webhook)) == {"E2"}
    mails = deliveries(state, Channel.email)
    assert [r.user_id for r in mails] == [world.users["so_E3"]]


def test_a_disabled_or_deleted_endpoint_gets_nothing(
    client: Any, world: Any, state: AppState
) -> None:
    hook = register_webhook(client, world, "E2", "https://hooks.example.org/a")
    assert (
        client.delete(f"/api/v1/webhooks/{hook['id']}", headers=world.auth("E2")).status_code == 204
    )
    publish(client, world, "E1")
    assert deliveries(state, Channel.webhook) == []


def test_a_claimed_row_is_leased_then_claimed_again_once_the_lease_expires(
    client: Any, world: Any, state: AppState, clock: ManualClock
) -> None:
    publish(client, world, "E1")
    first = _claim(state)
    assert len(first) == len(REGION_R1_BUT_E1)
    assert _claim(state) == []  # leased: another dispatcher gets nothing
    clock.advance(LEASE + timedelta(seconds=1))  # the first dispatcher died
    second = _claim(state)
    assert [r.event_id for r in second] == [r.event_id for r in first]


def test_revision_two_waits_until_revision_one_went_out_for_the_same_recipient(
    client: Any, world: Any, state: AppState
) -> None:
    alert = publish(client, world, "E1")
    patched = client.patch(
        f"/api/v1/alerts/{alert['id']}", json={"summary": "Worse."}, headers=world.auth("E1")
    )
    assert patched.status_code == 200, patched.text
    claimed = _claim(state)
    assert {r.revision for r in claimed} == {1}
    with transaction(state.sessions) as session:
        outbox.mark_delivered(session, [r.seq for r in claimed], state.clock.now())
    assert {r.revision for r in _claim(state)} == {2}


def test_closing_reaches_every_earlier_recipient(client: Any, world: Any, state: AppState) -> None:
    alert = publish(client, world, "E1")
    closed = client.post(f"/api/v1/alerts/{alert['id']}/close", headers=world.auth("E1"))
    assert closed.status_code == 200, closed.text
    rows = [r for r in deliveries(state) if r.revision == 2]
    assert {r.action for r in rows} == {"close"}
    assert _names(world, rows) == REGION_R1_BUT_E1


def test_a_draft_writes_nothing(client: Any, world: Any, state: AppState) -> None:
    from tests.alerts.factory import alert_body

    created = client.post("/api/v1/alerts", json=alert_body(), headers=world.auth("E1"))
    assert created.status_code == 201
    assert deliveries(state) == []


def test_each_recipient_is_sent_the_affected_establishment_only_if_it_may_know_it(
    client: Any, world: Any, state: AppState
) -> None:
    body = {"tlp": "amber", "anonymous": True, "affected_organisation": str(world.ids["E1"])}
    created = client.post("/api/v1/alerts", json=alert_body(**body), headers=world.auth("R1"))
    assert created.status_code == 201, created.text
    published = client.post(f"/api/v1/alerts/{created.json()['id']}/publish",
                            headers=world.auth("R1"))  # fmt: skip
    assert published.status_code == 200, published.text
    rows = deliveries(state)
    assert "E1" not in _names(world, rows)  # the establishment hit is not a recipient
    with transaction(state.sessions) as session:
        bodies = outbox.payload_bodies(session, {r.payload_id for r in rows})
    told = {world.name_of(r.recipient_org_id): bodies[r.payload_id]["affected"] for r in rows}
    assert told["G1"]["name"] == "Org E1"  # E1's group: one of its relays
    assert told["E2"] is None and told["E4"] is None and told["G2"] is None
    assert all(bodies[r.payload_id]["source"]["name"] == "Org R1" for r in rows)
