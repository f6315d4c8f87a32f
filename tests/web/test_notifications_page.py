"""The notifications page: what reaches a person by e-mail and SMS, their phone, their
language; the same preferences as the API's /me/notifications."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.web.helpers import csrf_of, sign_in
from tests.world import World

API = "/api/v1/me/notifications"


def test_a_security_officer_sees_the_defaults_ticked_in_french(
    client: TestClient, world: World
) -> None:
    sign_in(client, "so_E1")
    page = client.get("/account/notifications")
    assert page.status_code == 200
    assert "Sévérités par canal" in page.text
    ticked = sorted(re.findall(r'name="(\w+)" value="1"[^>]* checked', page.text))
    assert ticked == ["email_critical", "email_high", "sms_critical"]
    assert "Aucun SMS n&#39;est envoyé tant que vous n&#39;avez pas donné de numéro." in page.text


def test_choices_saved_on_the_page_are_those_the_api_reads(
    client: TestClient, world: World
) -> None:
    sign_in(client, "so_E1")
    token = csrf_of(client.get("/account/notifications").text)
    form = {"csrf_token": token, "email_critical": "1", "sms_critical": "1", "sms_high": "1",
            "phone": "+33 6 12 34 56 78", "language": "en"}  # fmt: skip
    saved = client.post("/account/notifications", data=form, follow_redirects=False)
    assert saved.status_code == 303
    assert client.get(saved.headers["location"]).status_code == 200
    assert client.get(API, headers=world.auth("so_E1")).json() == {
        "severities": ["critical"], "sms_severities": ["critical", "high"],
        "phone": "+33612345678", "language": "en", "sms_active": True,
    }  # fmt: skip


def test_a_wrong_phone_number_is_said_next_to_the_field_and_nothing_changes(
    client: TestClient, world: World
) -> None:
    sign_in(client, "so_E1")
    token = csrf_of(client.get("/account/notifications").text)
    answer = client.post("/account/notifications", data={"csrf_token": token, "phone": "0612"})
    assert answer.status_code == 422
    assert 'id="phone-error"' in answer.text and 'value="0612"' in answer.text
    assert client.get(API, headers=world.auth("so_E1")).json()["phone"] is None
