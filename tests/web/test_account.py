"""Sign-in, CSRF, sessions, set-up, organisation choice and languages, through the pages."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from starlette.requests import Request

from tests.web.helpers import PASSWORD, csrf_of, email_of, page_token, sign_in
from tests.world import World
from tocsin.audit.service import SYSTEM
from tocsin.clock import ManualClock
from tocsin.db import transaction
from tocsin.errors import Unauthenticated
from tocsin.network import service as network_service
from tocsin.network.auth import SESSION_COOKIE, token_or_browser
from tocsin.network.models import Role
from tocsin.state import AppState


def test_sign_in_opens_the_inbox_with_an_httponly_lax_cookie(
    client: TestClient, world: World
) -> None:
    response = sign_in(client, "so_E1")
    assert response.status_code == 303
    assert response.headers["location"] == "/inbox"
    cookie = response.headers["set-cookie"]
    assert f"{SESSION_COOKIE}=" in cookie
    assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
    inbox = client.get("/inbox")
    assert inbox.status_code == 200
    assert "Org E1" in inbox.text


def test_wrong_password_keeps_the_email_and_says_so(client: TestClient, world: World) -> None:
    response = sign_in(client, "so_E1", password="wrong password", **{"Accept-Language": "en"})
    assert response.status_code == 401
    assert "Wrong e-mail or password." in response.text
    assert f'value="{email_of("so_E1")}"' in response.text
    assert client.get("/inbox", follow_redirects=False).status_code == 303


def test_sign_in_without_the_csrf_token_is_refused(client: TestClient, world: World) -> None:
    client.get("/signin")
    response = client.post(
        "/signin", data={"email": email_of("so_E1"), "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 403
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")


def test_a_token_from_another_browser_is_refused(client: TestClient, world: World) -> None:
    sign_in(client, "so_E1")
    other = TestClient(client.app)
    sign_in(other, "so_E2")
    foreign = page_token(other)
    response = client.post("/signout", data={"csrf_token": foreign}, follow_redirects=False)
    assert response.status_code == 403
    assert client.get("/inbox").status_code == 200  # still signed in


def test_every_post_checks_the_token(client: TestClient, world: World) -> None:
    sign_in(client, "so_E1")
    for path in ("/compose", "/compose/extract", "/signout", "/language", "/dashboard/signoff"):
        response = client.post(path, data={"title": "x"}, follow_redirects=False)
        assert response.status_code == 403, path


def test_htmx_requests_may_send_the_token_in_a_header(client: TestClient, world: World) -> None:
    sign_in(client, "so_E1")
    token = page_token(client, "/compose")
    response = client.post(
        "/compose/extract", data={"paste": "203.0.113.9"}, headers={"X-CSRF-Token": token}
    )
    assert response.status_code == 200
    assert "203.0.113.9" in response.text


def test_sign_out_makes_the_cookie_worthless(client: TestClient, world: World) -> None:
    sign_in(client, "so_E1")
    cookie = client.cookies.get(SESSION_COOKIE)
    response = client.post(
        "/signout", data={"csrf_token": page_token(client)}, follow_redirects=False
    )
    assert response.status_code == 303
    replay = TestClient(client.app, cookies={SESSION_COOKIE: cookie or ""})
    assert replay.get("/inbox", follow_redirects=False).headers["location"].startswith("/signin")


def test_an_expired_session_sends_back_to_sign_in(
    client: TestClient, world: World, clock: ManualClock
) -> None:
    sign_in(client, "so_E1")
    assert client.get("/inbox").status_code == 200
    clock.advance(timedelta(hours=11))
    response = client.get("/inbox", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/signin?next=/inbox"
    assert "Sign in" in client.get("/signin", headers={"Accept-Language": "en"}).text


def test_first_setup_creates_the_national_cert_and_its_admin(client: TestClient) -> None:
    assert client.get("/signin", follow_redirects=False).headers["location"] == "/setup"
    page = client.get("/setup", headers={"Accept-Language": "en"})
    short = client.post(
        "/setup",
        data={"organisation": "CERT Santé", "display_name": "Ada", "email": "ada@cert.example",
              "password": "short", "password_again": "short", "csrf_token": csrf_of(page.text)},
        headers={"Accept-Language": "en"},
    )  # fmt: skip
    assert short.status_code == 422
    assert "At least 12 characters." in short.text
    assert 'value="CERT Santé"' in short.text
    done = client.post(
        "/setup",
        data={"organisation": "CERT Santé", "display_name": "Ada", "email": "ada@cert.example",
              "password": "a long enough secret", "password_again": "a long enough secret",
              "csrf_token": csrf_of(short.text)},
        follow_redirects=False,
    )  # fmt: skip
    assert done.headers["location"] == "/signin"
    assert client.get("/setup", follow_redirects=False).headers["location"] == "/signin"
    page = client.get("/signin")
    signed = client.post(
        "/signin",
        data={"email": "ada@cert.example", "password": "a long enough secret",
              "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )  # fmt: skip
    assert signed.headers["location"] == "/inbox"
    assert "CERT Santé" in client.get("/dashboard").text


def test_a_user_with_several_organisations_chooses_one(
    client: TestClient, world: World, state: AppState
) -> None:
    with transaction(state.sessions) as session:
        network_service.grant_role(session=session, user_id=world.users["so_E1"],
                                   organisation_id=world.ids["E2"], role=Role.analyst,
                                   now=state.clock.now(), actor=SYSTEM)  # fmt: skip
    response = sign_in(client, "so_E1")
    assert response.headers["location"] == "/organisation"
    assert client.get("/inbox", follow_redirects=False).headers["location"] == "/organisation"
    choice = client.get("/organisation")
    assert "Org E1" in choice.text and "Org E2" in choice.text
    refused = client.post("/organisation", data={"organisation_id": str(world.ids["E3"]),
                                                 "csrf_token": csrf_of(choice.text)})  # fmt: skip
    assert refused.status_code == 403
    chosen = client.post(
        "/organisation",
        data={"organisation_id": str(world.ids["E2"]), "csrf_token": csrf_of(choice.text)},
        follow_redirects=False,
    )
    assert chosen.headers["location"] == "/inbox"
    assert "Org E2" in client.get("/inbox").text


def test_the_browser_language_chooses_and_french_is_the_fallback(
    client: TestClient, world: World
) -> None:
    sign_in(client, "so_E1")
    assert "Boîte de réception" in client.get("/inbox").text
    assert "Boîte de réception" in client.get("/inbox", headers={"Accept-Language": "de"}).text
    english = client.get("/inbox", headers={"Accept-Language": "en-GB,en;q=0.9,fr;q=0.5"})
    assert "Inbox" in english.text and 'lang="en"' in english.text
    weighted = client.get("/inbox", headers={"Accept-Language": "fr;q=0.4, en;q=0.8"})
    assert 'lang="en"' in weighted.text


def test_the_users_setting_overrides_the_browser(client: TestClient, world: World) -> None:
    sign_in(client, "so_E1")
    english = {"Accept-Language": "en"}
    token = page_token(client)
    client.post("/language", data={"language": "fr", "csrf_token": token, "next": "/inbox"})
    page = client.get("/inbox", headers=english)
    assert 'lang="fr"' in page.text and "Boîte de réception" in page.text
    client.post("/language", data={"language": "", "csrf_token": token})
    assert 'lang="en"' in client.get("/inbox", headers=english).text


def test_pages_carry_the_security_headers(client: TestClient, world: World) -> None:
    for response in (client.get("/signin"), client.get("/setup", follow_redirects=True)):
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "same-origin"
        assert "strict-transport-security" not in response.headers  # plain http here


def _request_with(app: object, cookie: str) -> Request:
    header = (b"cookie", f"{SESSION_COOKIE}={cookie}".encode())
    return Request({"type": "http", "app": app, "headers": [header], "method": "GET", "path": "/"})


def test_the_stream_accepts_a_signed_in_browser_and_refuses_a_forged_cookie(
    client: TestClient, world: World, state: AppState
) -> None:
    sign_in(client, "so_E1")
    cookie = client.cookies.get(SESSION_COOKIE) or ""
    with transaction(state.sessions) as session:
        principal = token_or_browser(_request_with(client.app, cookie), session, state.clock.now())
        assert principal.org_id == world.ids["E1"]
        assert principal.user_id == world.users["so_E1"]
        with pytest.raises(Unauthenticated):
            token_or_browser(_request_with(client.app, "forged"), session, state.clock.now())


def test_expired_sessions_are_purged_by_the_periodic_job(
    client: TestClient, world: World, state: AppState, clock: ManualClock
) -> None:
    from tocsin.app import node_jobs
    from tocsin.web.tasks import purge_sessions

    assert "web.purge_sessions" in {job.name for job in node_jobs()}
    sign_in(client, "so_E1")
    assert purge_sessions(state) == 0
    clock.advance(timedelta(hours=11))
    assert purge_sessions(state) == 1
    assert purge_sessions(state) == 0


def test_the_demo_users_are_listed_on_a_development_node_only(tmp_path: Path) -> None:
    from tocsin.demo.seed import Credential, write_credentials
    from tocsin.settings import Settings
    from tocsin.web.account import demo_users

    user = Credential("CHU", "id", "establishment", "ARS", "d@chu.example", "director", "pw", "t")
    write_credentials(tmp_path, [user])
    assert demo_users(Settings(environment="development", data_dir=tmp_path)) == [user]
    assert demo_users(Settings(environment="test", data_dir=tmp_path)) == []
    assert demo_users(Settings(environment="development", data_dir=tmp_path / "none")) == []


def test_five_wrong_passwords_lock_the_account_for_a_quarter_of_an_hour(
    client: TestClient, world: World, clock: ManualClock
) -> None:
    for _ in range(5):
        assert (
            sign_in(client, "so_E1", password="guess", **{"Accept-Language": "en"}).status_code
            == 401
        )
    locked = sign_in(client, "so_E1", **{"Accept-Language": "en"})  # even the right password waits
    assert locked.status_code == 429
    assert "Too many wrong passwords for this account" in locked.text
    assert sign_in(client, "so_E2").status_code == 303  # other accounts are not locked
    clock.advance(timedelta(minutes=16))
    assert sign_in(client, "so_E1").status_code == 303
