"""Sessions a person can see and end: the list, ending one or all others, sign-out
everywhere on a password change, the idle timeout and lifetime, and Secure cookies."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.identity.helpers import EN
from tests.web.helpers import PASSWORD, page_token, sign_in
from tests.world import World
from tocsin.app import create_app
from tocsin.audit.models import AuditRecord
from tocsin.clock import ManualClock
from tocsin.db import transaction
from tocsin.network.models import WebSession
from tocsin.state import AppState

FIREFOX = {"User-Agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Firefox/128.0"}


def _browser(client: TestClient) -> TestClient:
    return TestClient(client.app)


def test_the_list_shows_each_browser_and_ends_one_of_them(
    client: TestClient, world: World, state: AppState
) -> None:
    sign_in(client, "so_E1")
    other = _browser(client)
    sign_in(other, "so_E1", **FIREFOX)
    page = client.get("/account/sessions", headers=EN).text
    with transaction(state.sessions) as session:
        rows = list(session.scalars(select(WebSession).order_by(WebSession.created_at)))
    assert len(rows) == 2
    assert "Firefox · Windows" in page and "(this browser)" in page
    assert f'id="session-{rows[1].id}"' in page
    token = page_token(client, "/account/sessions")
    ended = client.post(f"/account/sessions/{rows[1].id}/end", data={"csrf_token": token},
                        follow_redirects=False)  # fmt: skip
    assert ended.headers["location"] == "/account/sessions"
    assert other.get("/inbox", follow_redirects=False).headers["location"].startswith("/signin")
    assert client.get("/inbox").status_code == 200
    with transaction(state.sessions) as session:
        ends = list(session.scalars(select(AuditRecord).where(
            AuditRecord.action == "web.sessions_end")))  # fmt: skip
    assert [r.details["count"] for r in ends] == [1]


def test_another_persons_session_cannot_be_ended(client: TestClient, world: World) -> None:
    sign_in(client, "so_E1")
    other = _browser(client)
    sign_in(other, "so_E2")
    theirs = other.get("/account/sessions").text.split('id="session-')[1].split('"')[0]
    token = page_token(client, "/account/sessions")
    client.post(f"/account/sessions/{theirs}/end", data={"csrf_token": token})
    assert other.get("/inbox").status_code == 200


def test_sign_out_everywhere_else_and_on_a_password_change(
    client: TestClient, world: World, state: AppState
) -> None:
    sign_in(client, "so_E1")
    others = [_browser(client) for _ in range(2)]
    for other in others:
        sign_in(other, "so_E1")
    token = page_token(client, "/account/sessions")
    client.post("/account/sessions/end-others", data={"csrf_token": token})
    assert all(o.get("/inbox", follow_redirects=False).status_code == 303 for o in others)
    for other in others:
        sign_in(other, "so_E1")
    token = page_token(client, "/account/security")
    short = client.post("/account/password", headers=EN, data={"csrf_token": token,
                        "current_password": PASSWORD, "new_password": "short",
                        "new_password_again": "short"})  # fmt: skip
    assert short.status_code == 422 and "At least 12 characters." in short.text
    wrong = client.post("/account/password", headers=EN, data={"csrf_token": token,
                        "current_password": "not it", "new_password": "a new long secret",
                        "new_password_again": "a new long secret"})  # fmt: skip
    assert wrong.status_code == 422 and "Wrong password." in wrong.text
    assert all(o.get("/inbox").status_code == 200 for o in others)  # refusals change nothing
    changed = client.post("/account/password", headers=EN, data={"csrf_token": token,
                          "current_password": PASSWORD, "new_password": "a new long secret",
                          "new_password_again": "a new long secret"})  # fmt: skip
    assert changed.status_code == 200 and "Password changed." in changed.text
    assert all(o.get("/inbox", follow_redirects=False).status_code == 303 for o in others)
    assert client.get("/inbox").status_code == 200
    assert sign_in(_browser(client), "so_E1").status_code == 401
    assert sign_in(_browser(client), "so_E1", password="a new long secret").status_code == 303


def test_an_idle_session_ends_and_activity_keeps_it(
    client: TestClient, world: World, state: AppState, clock: ManualClock
) -> None:
    state.settings = state.settings.model_copy(update={"session_idle_minutes": 20})
    sign_in(client, "so_E1")
    for _ in range(5):  # used every quarter of an hour: still open after 75 minutes
        clock.advance(timedelta(minutes=15))
        assert client.get("/inbox").status_code == 200
    clock.advance(timedelta(minutes=21))
    assert client.get("/inbox", follow_redirects=False).headers["location"].startswith("/signin")


def test_the_lifetime_setting_ends_a_busy_session(
    client: TestClient, world: World, state: AppState, clock: ManualClock
) -> None:
    state.settings = state.settings.model_copy(update={"session_lifetime_hours": 1})
    sign_in(client, "so_E1")
    for _ in range(3):
        clock.advance(timedelta(minutes=25))
        status = client.get("/inbox", follow_redirects=False).status_code
    assert status == 303


def test_cookies_are_secure_and_hsts_is_sent_behind_https(state: AppState, world: World) -> None:
    state.settings = state.settings.model_copy(update={"public_url": "https://tocsin.example.org"})
    with TestClient(create_app(state=state), base_url="https://tocsin.example.org") as client:
        signed = sign_in(client, "so_E1")
        assert "secure" in signed.headers["set-cookie"].lower()
        page = client.get("/inbox")
        assert page.headers["strict-transport-security"].startswith("max-age=31536000")
