"""Responses through the API: received, acknowledged, applicability, updates, closed."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import func, select

from tests.alerts.factory import publish
from tests.responses.helpers import add_integration
from tocsin.audit.models import AuditRecord
from tocsin.bus.memory import MemoryBus
from tocsin.db import transaction
from tocsin.delivery.dispatch_live import drain_live_once
from tocsin.publication.receipts import on_delivered
from tocsin.responses.models import ResponseChange

# An AMBER alert of E1 scoped to its region R1 reaches these organisations; the groups and
# the region oversee, so only the establishments owe a response.
RECIPIENTS = {"R1", "G1", "G2", "E2", "E3", "E4"}
RESPONDERS = {"E2", "E3", "E4"}


def _put(client, world, alert, who, **body):
    return client.put(f"/api/v1/alerts/{alert['id']}/response", json=body, headers=world.auth(who))


def _table(client, world, alert, who="E1"):
    response = client.get(f"/api/v1/alerts/{alert['id']}/responses", headers=world.auth(who))
    assert response.status_code == 200, response.text
    return response.json()


def _row(table, world, org):
    return next(r for r in table["responses"] if r["organisation"]["id"] == str(world.ids[org]))


def _history(client, world, alert, who):
    response = client.get(f"/api/v1/alerts/{alert['id']}/response/history", headers=world.auth(who))
    assert response.status_code == 200, response.text
    return response.json()


def test_the_table_lists_every_responder_by_name_with_nothing_done_yet(client, world):
    alert = publish(client, world, "E1", anonymous=True)
    table = _table(client, world, alert)
    assert {world.name_of(r["organisation"]["id"]) for r in table["responses"]} == RESPONDERS
    assert {r["organisation"]["name"] for r in table["responses"]} == {
        f"Org {o}" for o in RESPONDERS
    }
    assert table["totals"] == {
        "recipients": 3, "received": 0, "acknowledged": 0, "affected": 0, "not_affected": 0,
        "investigating": 0, "closed": 0, "median_time_to_acknowledge_seconds": None,
    }  # fmt: skip
    assert all(r["reached_revision"] == 1 for r in table["responses"])


def test_reading_the_alert_marks_it_received_once(client, world, clock):
    alert = publish(client, world, "E1")
    clock.advance(timedelta(minutes=3))
    assert client.get(f"/api/v1/alerts/{alert['id']}", headers=world.auth("E2")).status_code == 200
    first = _row(_table(client, world, alert), world, "E2")["received_at"]
    clock.advance(timedelta(minutes=3))
    client.get(f"/api/v1/alerts/{alert['id']}", headers=world.auth("viewer_E2"))
    assert _row(_table(client, world, alert), world, "E2")["received_at"] == first
    assert first.startswith("2026-01-01T08:03:00")
    assert [list(h["changes"]) for h in _history(client, world, alert, "E2")] == [["received"]]
    # The source and relays reading it are not recipients: nothing to mark.
    client.get(f"/api/v1/alerts/{alert['id']}", headers=world.auth("N"))
    assert _table(client, world, alert)["totals"]["received"] == 1


def test_a_person_acknowledges_and_the_same_body_twice_is_one_change(client, world, clock):
    alert = publish(client, world, "E1")
    clock.advance(timedelta(minutes=12))
    first = _put(client, world, alert, "E2", acknowledged=True, applicability="investigating")
    assert first.status_code == 200, first.text
    clock.advance(timedelta(minutes=1))
    again = _put(client, world, alert, "E2", acknowledged=True, applicability="investigating")
    assert again.json() == first.json()
    body = first.json()
    assert body["acknowledged_by"] == {"id": str(world.users["so_E2"]), "display_name": "so_E2"}
    assert body["time_to_acknowledge_seconds"] == 720
    assert body["received_at"] == body["acknowledged_at"]  # answering implies receiving
    history = _history(client, world, alert, "E2")
    assert len(history) == 1
    assert set(history[0]["changes"]) == {"received", "acknowledged", "applicability"}
    assert history[0]["by"] == str(world.users["so_E2"])


def test_every_change_is_audited(client, world, state):
    alert = publish(client, world, "E1")
    _put(client, world, alert, "E3", acknowledged=True)
    _put(client, world, alert, "E3", applicability="affected")
    _put(client, world, alert, "E3", applicability="affected")
    with state.sessions() as session:
        actions = session.scalars(
            select(AuditRecord.action).where(AuditRecord.target_id == alert["id"])
            .where(AuditRecord.action.like("response.%"))
        ).all()  # fmt: skip
        changes = session.scalar(select(func.count()).select_from(ResponseChange))
    assert actions == ["response.change", "response.change"]
    assert changes == 2


def test_updates_are_appended_with_their_time_and_repeats_are_ignored(client, world, clock):
    alert = publish(client, world, "E1")
    _put(client, world, alert, "E4", update="Checking the VPN logs.")
    clock.advance(timedelta(hours=2))
    _put(client, world, alert, "E4", update="No trace of the IPs.", applicability="not_affected")
    final = _put(client, world, alert, "E4", update="No trace of the IPs.", closed=True).json()
    assert [(u["text"], u["at"][11:16]) for u in final["updates"]] == [
        ("Checking the VPN logs.", "08:00"),
        ("No trace of the IPs.", "10:00"),
    ]
    assert final["closed_at"] is not None
    row = _row(_table(client, world, alert), world, "E4")
    assert row["last_update"]["text"] == "No trace of the IPs." and row["update_count"] == 2
    assert row["applicability"] == "not_affected" and row["closed_at"] == final["closed_at"]
    reopened = _put(client, world, alert, "E4", closed=False).json()
    assert reopened["closed_at"] is None


def test_totals_count_acknowledgements_applicability_and_the_median(client, world, clock):
    alert = publish(client, world, "E1")
    for minutes, org, applicability in [(10, "E2", "affected"), (10, "E3", "affected"),
                                        (20, "E4", "not_affected")]:  # fmt: skip
        clock.advance(timedelta(minutes=minutes))
        _put(client, world, alert, org, acknowledged=True, applicability=applicability)
    assert _put(client, world, alert, "G1", acknowledged=True).status_code == 403  # oversees
    totals = _table(client, world, alert, "R1")["totals"]
    assert totals["recipients"] == 3 and totals["acknowledged"] == 3
    assert totals["affected"] == 2 and totals["not_affected"] == 1
    assert totals["median_time_to_acknowledge_seconds"] == 20 * 60  # 10, 20 and 40 minutes


def test_an_integration_token_cannot_acknowledge_but_may_state_applicability(client, world, state):
    alert = publish(client, world, "E1")
    token = add_integration(state, world, "E2")
    refused = _put(client, world, alert, token, acknowledged=True)
    assert refused.status_code == 403
    assert "person" in refused.json()["detail"]
    allowed = _put(client, world, alert, token, applicability="affected")
    assert allowed.status_code == 200 and allowed.json()["acknowledged_at"] is None


def test_an_acknowledgement_cannot_be_withdrawn(client, world):
    alert = publish(client, world, "E1")
    _put(client, world, alert, "E2", acknowledged=True)
    assert _put(client, world, alert, "E2", acknowledged=False).status_code == 409


def test_an_alert_the_caller_cannot_see_is_404(client, world):
    alert = publish(client, world, "E1")  # AMBER within R1: E5 is in R2
    response = _put(client, world, alert, "E5", acknowledged=True)
    assert response.status_code == 404 and response.json()["detail"] == "no such alert"
    missing = {"id": "00000000-0000-4000-8000-000000000000"}
    assert _put(client, world, missing, "E2", acknowledged=True).status_code == 404


def test_a_reader_that_is_not_a_recipient_is_told_why(client, world):
    alert = publish(client, world, "E1", tlp="green")  # E5 and P may read it, but not receive
    for who in ("E5", "N", "E1"):
        response = _put(client, world, alert, who, acknowledged=True)
        assert response.status_code == 403, who
        assert "not a recipient" in response.json()["detail"]


def test_a_read_only_person_cannot_respond(client, world):
    alert = publish(client, world, "E1")
    assert _put(client, world, alert, "viewer_E2", acknowledged=True).status_code == 403


def test_applicability_outside_the_list_is_422_naming_the_field(client, world):
    alert = publish(client, world, "E1")
    response = _put(client, world, alert, "E2", applicability="maybe")
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["applicability"]
    unknown = _put(client, world, alert, "E2", acknowledge=True)
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "acknowledge"


def test_who_sees_the_whole_table(client, world):
    alert = publish(client, world, "E1")
    url = f"/api/v1/alerts/{alert['id']}/responses"
    # Source, its relays, and relays of recipients (G2 is E4's group and a recipient itself).
    for who in ("E1", "G1", "R1", "N", "G2"):
        assert client.get(url, headers=world.auth(who)).status_code == 200, who
    assert client.get(url, headers=world.auth("E2")).status_code == 403
    assert client.get(url, headers=world.auth("E5")).status_code == 404


def test_a_narrowed_scope_drops_recipients_from_the_table(client, world):
    alert = publish(client, world, "E1")
    _put(client, world, alert, "E4", acknowledged=True)
    changed = client.patch(
        f"/api/v1/alerts/{alert['id']}", json={"scope": {"kind": "group"}}, headers=world.auth("E1")
    )
    assert changed.status_code == 200, changed.text
    table = _table(client, world, alert)
    assert {world.name_of(r["organisation"]["id"]) for r in table["responses"]} == {"E2", "E3"}
    assert _put(client, world, alert, "E4", update="still here?").status_code in (403, 404)


def test_own_response_is_readable_by_the_recipient(client, world):
    alert = publish(client, world, "E1")
    _put(client, world, alert, "E3", applicability="investigating")
    mine = client.get(f"/api/v1/alerts/{alert['id']}/response", headers=world.auth("viewer_E3"))
    assert mine.status_code == 200 and mine.json()["applicability"] == "investigating"
    assert mine.json()["acknowledge_due_at"].startswith("2026-01-01T08:30:00")


def test_the_first_delivery_marks_recipients_received_in_one_audit_record(
    client, world, state, clock
):
    alert = publish(client, world, "E1")
    clock.advance(timedelta(minutes=1))
    bus = MemoryBus()

    async def drain():
        await bus.start()
        try:
            return await drain_live_once(state, bus, on_delivered)
        finally:
            await bus.close()

    assert asyncio.run(drain()) == len(RECIPIENTS)  # the relays get it too
    table = _table(client, world, alert)
    assert table["totals"]["received"] == len(RESPONDERS)
    assert {r["received_at"] for r in table["responses"]} == {"2026-01-01T08:01:00Z"}
    assert [list(h["changes"]) for h in _history(client, world, alert, "E2")] == [["received"]]
    with transaction(state.sessions) as session:
        receipts = session.scalars(
            select(AuditRecord).where(AuditRecord.action == "response.received")
        ).all()
        assert [len(r.details["organisations"]) for r in receipts] == [len(RESPONDERS)]
    # Reading it afterwards changes nothing: received once.
    client.get(f"/api/v1/alerts/{alert['id']}", headers=world.auth("E2"))
    assert len(_history(client, world, alert, "E2")) == 1
