"""Each person chooses what reaches them (e-mail, SMS, phone, language); until they do,
directors and security officers get critical and high alerts by e-mail, critical by SMS."""

from __future__ import annotations

from typing import Any

from tests.alerts.factory import publish
from tests.delivery.helpers import deliveries

from tocsin.delivery.models import Channel
from tocsin.state import AppState

URL = "/api/v1/me/notifications"


def test_acting_roles_start_with_the_defaults_and_others_with_nothing(
    client: Any, world: Any
) -> None:
    officer = client.get(URL, headers=world.auth("so_E2")).json()
    assert officer == {"severities": ["critical", "high"], "sms_severities": ["critical"],
                       "phone": None, "language": None, "sms_active": False}  # fmt: skip
    viewer = client.get(URL, headers=world.auth("viewer_E2")).json()
    assert viewer["severities"] == [] and viewer["sms_severities"] == []


def test_a_phone_turns_sms_on_and_a_change_keeps_what_it_leaves_out(
    client: Any, world: Any
) -> None:
    auth = world.auth("so_E2")
    bad = client.put(URL, json={"phone": "06 12 34 56 78"}, headers=auth)
    assert bad.status_code == 422 and "phone" in bad.text
    assert client.put(URL, json={"severities": ["urgent"]}, headers=auth).status_code == 422
    set_phone = client.put(URL, json={"phone": "+33 6 12 34 56 78"}, headers=auth).json()
    assert set_phone["phone"] == "+33612345678" and set_phone["sms_active"] is True
    changed = client.put(
        URL, json={"severities": ["high", "critical", "high"], "sms_severities": ["critical",
        "high"], "language": "en"}, headers=auth,
    ).json()  # fmt: skip
    assert changed == {"severities": ["critical", "high"], "sms_severities": ["critical", "high"],
                       "phone": "+33612345678", "language": "en", "sms_active": True}  # fmt: skip
    none = client.put(URL, json={"severities": [], "phone": None}, headers=auth).json()
    assert none["severities"] == [] and none["phone"] is None and none["sms_active"] is False


def test_a_critical_alert_reaches_security_officers_by_mail_without_any_choice(
    client: Any, world: Any, state: AppState
) -> None:
    client.put(URL, json={"severities": []}, headers=world.auth("so_E3"))  # opted out
    publish(client, world, "E1", severity="critical", scope={"kind": "group"})
    mailed = {r.user_id for r in deliveries(state, Channel.email)}
    assert world.users["so_E2"] in mailed
    assert world.users["so_E3"] not in mailed and world.users["viewer_E2"] not in mailed


def test_sms_go_to_those_with_a_phone_for_the_severities_they_want(
    client: Any, world: Any, state: AppState
) -> None:
    client.put(URL, json={"phone": "+33612345678"}, headers=world.auth("so_E2"))
    publish(client, world, "E1", severity="high", scope={"kind": "group"})
    assert deliveries(state, Channel.sms) == []  # by default SMS carry critical alerts only
    client.put(URL, json={"sms_severities": ["critical", "high"]}, headers=world.auth("so_E2"))
    publish(client, world, "E1", severity="high", scope={"kind": "group"})
    assert [r.user_id for r in deliveries(state, Channel.sms)] == [world.users["so_E2"]]
