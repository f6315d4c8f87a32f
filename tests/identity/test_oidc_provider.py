"""Single sign-on against a real OpenID provider (npm `oidc-provider`, run by the tests):
a person created just in time, the provider's MFA, and every refusal a clear page that
creates nothing and is audited."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from tests.identity.helpers import EN, code_at, enrol_totp, second_step
from tests.identity.provider import Provider, provider_body, running_provider, walk_provider
from tests.web.helpers import page_token, sign_in
from tests.world import World
from tocsin.audit.models import AuditRecord
from tocsin.clock import ManualClock
from tocsin.db import transaction
from tocsin.identity.models import SsoLogin
from tocsin.network.models import User, WebSession
from tocsin.state import AppState

PUBLIC_URL = "http://localhost:8765"  # the address the provider sends browsers back to


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    with running_provider(PUBLIC_URL, roles={"rssi@chu-e1.example.org": ["rssi"]}) as running:
        yield running


@pytest.fixture
def hub(state: AppState, clock: ManualClock, world: World) -> AppState:
    """The node as the provider knows it, on the provider's clock (ID tokens carry real times)."""
    state.settings = state.settings.model_copy(update={"public_url": PUBLIC_URL})
    clock.set(datetime.now(UTC))
    return state


def _add(client: TestClient, world: World, provider: Provider, **changes: Any) -> None:
    added = client.post(f"/api/v1/organisations/{world.ids['E1']}/identity-providers",
                        json=provider_body(provider, **changes), headers=world.auth("admin"))  # fmt: skip
    assert added.status_code == 201, added.text


def _through(client: TestClient, provider: Provider, email: str, mfa: bool = False) -> Any:
    """Click the provider's button, sign in there, come back: the hub's answer."""
    start = client.get("/signin/sso/chu-idp?next=/dashboard", follow_redirects=False)
    assert start.status_code == 303, start.text
    back = walk_provider(start.headers["location"], email, mfa=mfa, stop_at=provider.redirect_uri)
    return client.get(back.removeprefix(PUBLIC_URL), headers=EN, follow_redirects=False)


def _audit(state: AppState, action: str) -> list[AuditRecord]:
    with transaction(state.sessions) as session:
        return list(session.scalars(select(AuditRecord).where(AuditRecord.action == action)))


def _user(state: AppState, email: str) -> User | None:
    with transaction(state.sessions) as session:
        return session.scalar(select(User).where(User.email == email))


def test_a_new_person_is_created_just_in_time_with_the_mapped_role(
    client: TestClient, world: World, hub: AppState, provider: Provider
) -> None:
    _add(client, world, provider)
    assert 'id="sso-chu-idp"' in client.get("/signin").text
    back = _through(client, provider, "rssi@chu-e1.example.org", mfa=True)
    assert back.status_code == 303 and back.headers["location"] == "/dashboard"
    assert client.get("/dashboard").status_code == 200
    user = _user(hub, "rssi@chu-e1.example.org")
    assert user is not None and [m.role.value for m in user.memberships] == ["security_officer"]
    with transaction(hub.sessions) as session:
        opened = session.scalar(select(WebSession).where(WebSession.user_id == user.id))
        assert opened is not None
        assert opened.second_factor == "idp"
    [record] = _audit(hub, "identity.sso_sign_in")
    assert record.details["created"] is True and record.details["mfa"] is True
    again = _through(TestClient(client.app), provider, "rssi@chu-e1.example.org")
    assert again.status_code == 303  # the same person, found this time
    assert [r.details["created"] for r in _audit(hub, "identity.sso_sign_in")] == [True, False]


def test_an_unknown_domain_is_refused_and_nothing_is_created(
    client: TestClient, world: World, hub: AppState, provider: Provider
) -> None:
    _add(client, world, provider)
    back = _through(client, provider, "someone@elsewhere.example.net")
    assert back.status_code == 403
    assert "This e-mail address is not in a domain of the organisation." in back.text
    assert _user(hub, "someone@elsewhere.example.net") is None
    assert client.get("/inbox", follow_redirects=False).headers["location"].startswith("/signin")
    [refusal] = _audit(hub, "identity.sso_refused")
    assert refusal.details["reason"] == "domain"


def test_a_forged_or_replayed_state_is_refused(
    client: TestClient, world: World, hub: AppState, provider: Provider
) -> None:
    _add(client, world, provider)
    forged = client.get(f"/signin/sso/callback?code=x&state={uuid.uuid4().hex}", headers=EN)
    assert forged.status_code == 403
    assert (
        "This sign-in link is unknown, expired, or was started in another browser." in forged.text
    )
    start = client.get("/signin/sso/chu-idp", follow_redirects=False)
    back = walk_provider(start.headers["location"], "a@chu-e1.example.org", mfa=False,
                         stop_at=provider.redirect_uri)  # fmt: skip
    path = back.removeprefix(PUBLIC_URL)
    elsewhere = TestClient(client.app).get(path, headers=EN)  # not the browser that started
    assert elsewhere.status_code == 403 and 'data-reason="state"' in elsewhere.text
    assert client.get(path, headers=EN).status_code == 403  # its state is spent now
    assert _user(hub, "a@chu-e1.example.org") is None
    assert [r.details["reason"] for r in _audit(hub, "identity.sso_refused")] == ["state"] * 3


def test_an_id_token_for_another_sign_in_is_refused(
    client: TestClient, world: World, hub: AppState, provider: Provider
) -> None:
    _add(client, world, provider)
    start = client.get("/signin/sso/chu-idp", follow_redirects=False)
    with transaction(hub.sessions) as session:  # the nonce this sign-in expects changes
        session.execute(update(SsoLogin).values(nonce="not the nonce sent"))
    back = walk_provider(start.headers["location"], "b@chu-e1.example.org", mfa=False,
                         stop_at=provider.redirect_uri)  # fmt: skip
    refused = client.get(back.removeprefix(PUBLIC_URL), headers=EN)
    assert refused.status_code == 403
    assert "does not belong to this sign-in" in refused.text
    assert _user(hub, "b@chu-e1.example.org") is None


def test_a_provider_that_must_show_mfa_and_does_not_is_refused(
    client: TestClient, world: World, hub: AppState, provider: Provider
) -> None:
    _add(client, world, provider, require_mfa=True)
    refused = _through(client, provider, "c@chu-e1.example.org", mfa=False)
    assert refused.status_code == 403 and 'data-reason="mfa"' in refused.text
    assert _user(hub, "c@chu-e1.example.org") is None
    assert _through(client, provider, "c@chu-e1.example.org", mfa=True).status_code == 303


def test_without_the_providers_mfa_a_person_with_a_factor_passes_the_second_step(
    client: TestClient, world: World, hub: AppState, provider: Provider, clock: ManualClock
) -> None:
    _add(client, world, provider)
    _through(client, provider, "d@chu-e1.example.org", mfa=True)
    secret, _ = enrol_totp(client, clock.now())
    client.post("/signout", data={"csrf_token": page_token(client)})
    back = _through(client, provider, "d@chu-e1.example.org", mfa=False)
    assert back.headers["location"] == "/signin/verify"
    clock.advance(timedelta(seconds=30))
    assert second_step(client, code_at(secret, clock.now())).status_code == 303


def test_the_state_is_stored_as_a_digest(
    client: TestClient, world: World, hub: AppState, provider: Provider
) -> None:
    _add(client, world, provider)
    start = client.get("/signin/sso/chu-idp", follow_redirects=False)
    state = start.headers["location"].split("state=")[1].split("&")[0]
    assert "code_challenge_method=S256" in start.headers["location"]
    assert "nonce=" in start.headers["location"]
    with transaction(hub.sessions) as session:
        login = session.scalar(select(SsoLogin))
        assert login is not None
        assert login.state_digest == hashlib.sha256(state.encode()).hexdigest()


def test_a_password_sign_in_is_untouched_by_the_provider(
    client: TestClient, world: World, hub: AppState, provider: Provider
) -> None:
    _add(client, world, provider)
    assert sign_in(client, "so_E1").headers["location"] == "/inbox"


def test_claims_a_provider_keeps_in_userinfo_are_read_from_there(
    client: TestClient, world: World, hub: AppState
) -> None:
    with running_provider(PUBLIC_URL, userinfo_only=True) as strict:
        _add(client, world, strict)
        back = _through(client, strict, "e@chu-e1.example.org", mfa=True)
        assert back.status_code == 303, back.text
    user = _user(hub, "e@chu-e1.example.org")
    assert user is not None and [m.role.value for m in user.memberships] == ["viewer"]
