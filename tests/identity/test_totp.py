"""The authenticator app (TOTP): enrolment with a QR code, the second step of sign-in, and
the codes it refuses (replayed, from an earlier step, expired, wrong), each audited."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.identity.helpers import EN, code_at, enrol_totp, second_step, start_totp
from tests.web.helpers import csrf_of, page_token, sign_in
from tests.world import World
from tocsin.audit.models import AuditRecord
from tocsin.clock import ManualClock
from tocsin.db import transaction
from tocsin.identity.models import RecoveryCode, TotpFactor
from tocsin.network.auth import SESSION_COOKIE
from tocsin.state import AppState


def _actions(state: AppState, action: str) -> list[AuditRecord]:
    with transaction(state.sessions) as session:
        return list(session.scalars(select(AuditRecord).where(AuditRecord.action == action)))


def _signed_out(client: TestClient) -> None:
    client.post("/signout", data={"csrf_token": page_token(client)})
    client.cookies.clear()


def test_enrolment_shows_a_qr_code_and_the_uri_and_is_confirmed_with_a_code(
    client: TestClient, world: World, clock: ManualClock, state: AppState
) -> None:
    sign_in(client, "so_E1")
    secret = start_totp(client)
    page = client.get("/account/security", headers=EN).text
    assert 'id="totp-qr" class="qr" src="data:image/svg+xml' in page
    assert "otpauth://totp/tocsin:so_e1%40test.example.org?secret=" + secret in page
    assert "issuer=tocsin" in page
    token = page_token(client, "/account/security")
    wrong = client.post("/account/security/totp/confirm", data={"csrf_token": token,
                        "code": "000000" if code_at(secret, clock.now()) != "000000" else "111111"},
                        headers=EN)  # fmt: skip
    assert wrong.status_code == 422
    assert "This code is wrong or has expired" in wrong.text
    with transaction(state.sessions) as session:
        factor = session.scalar(select(TotpFactor))
        assert factor is not None and factor.confirmed_at is None
        assert secret not in factor.secret_sealed  # sealed, not stored as typed
        assert session.scalar(select(RecoveryCode)) is None
    _, codes = enrol_totp(client, clock.now())
    assert len(set(codes)) == 10
    assert [r.target_id for r in _actions(state, "identity.totp_enrol")] == [
        str(world.users["so_E1"])
    ]
    with transaction(state.sessions) as session:
        digests = {r.digest for r in session.scalars(select(RecoveryCode))}
    assert len(digests) == 10 and not any(code in digests for code in codes)


def test_sign_in_then_asks_for_the_code_and_opens_no_session_before_it(
    client: TestClient, world: World, clock: ManualClock
) -> None:
    sign_in(client, "so_E1")
    secret, _ = enrol_totp(client, clock.now())
    _signed_out(client)
    first = sign_in(client, "so_E1")
    assert first.status_code == 303 and first.headers["location"] == "/signin/verify"
    assert SESSION_COOKIE not in first.headers.get("set-cookie", "")
    assert client.get("/inbox", follow_redirects=False).headers["location"].startswith("/signin")
    clock.advance(timedelta(seconds=30))
    passed = second_step(client, code_at(secret, clock.now()))
    assert passed.status_code == 303 and passed.headers["location"] == "/inbox"
    assert SESSION_COOKIE in passed.headers["set-cookie"]
    assert client.get("/inbox").status_code == 200


def test_a_replayed_an_earlier_and_an_expired_code_are_refused_and_audited(
    client: TestClient, world: World, clock: ManualClock, state: AppState
) -> None:
    sign_in(client, "so_E1")
    secret, _ = enrol_totp(client, clock.now())
    _signed_out(client)
    clock.advance(timedelta(seconds=60))
    used = code_at(secret, clock.now())
    sign_in(client, "so_E1")
    assert second_step(client, used).status_code == 303
    _signed_out(client)
    sign_in(client, "so_E1")
    replayed = second_step(client, used, **EN)
    assert replayed.status_code == 401
    assert "This code is wrong, already used or expired." in replayed.text
    earlier = second_step(client, code_at(secret, clock.now(), steps=-1), **EN)
    assert earlier.status_code == 401  # inside the drift window, but older than one used
    clock.advance(timedelta(minutes=3))
    expired = second_step(client, code_at(secret, clock.now(), steps=-2), **EN)
    assert expired.status_code == 401
    assert client.get("/inbox", follow_redirects=False).status_code == 303
    failed = _actions(state, "identity.second_factor_failed")
    assert len(failed) == 3 and {r.details["method"] for r in failed} == {"code"}
    assert second_step(client, code_at(secret, clock.now())).status_code == 303


def test_a_recovery_code_works_once(client: TestClient, world: World, clock: ManualClock) -> None:
    sign_in(client, "so_E1")
    _, codes = enrol_totp(client, clock.now())
    _signed_out(client)
    sign_in(client, "so_E1")
    assert second_step(client, codes[3].upper().replace("-", " ")).status_code == 303
    _signed_out(client)
    sign_in(client, "so_E1")
    assert second_step(client, codes[3]).status_code == 401
    assert second_step(client, codes[4]).status_code == 303


def test_wrong_codes_lock_the_account_like_wrong_passwords(
    client: TestClient, world: World, clock: ManualClock
) -> None:
    sign_in(client, "so_E1")
    secret, _ = enrol_totp(client, clock.now())
    _signed_out(client)
    sign_in(client, "so_E1")
    clock.advance(timedelta(seconds=30))
    right = code_at(secret, clock.now())
    wrong = "123456" if right != "123456" else "654321"
    answers = [second_step(client, wrong, **EN).status_code for _ in range(5)]
    assert answers == [401, 401, 401, 401, 429]
    locked = sign_in(client, "so_E1", **EN)  # even the right password waits now
    assert locked.status_code == 429
    assert "Too many wrong passwords for this account" in locked.text
    clock.advance(timedelta(minutes=16))
    assert sign_in(client, "so_E1").headers["location"] == "/signin/verify"
    assert second_step(client, code_at(secret, clock.now())).status_code == 303


def test_the_second_step_expires(client: TestClient, world: World, clock: ManualClock) -> None:
    sign_in(client, "so_E1")
    secret, _ = enrol_totp(client, clock.now())
    _signed_out(client)
    sign_in(client, "so_E1")
    clock.advance(timedelta(minutes=6))
    late = second_step(client, code_at(secret, clock.now()))
    assert late.status_code == 303 and late.headers["location"] == "/signin"
    assert client.get("/inbox", follow_redirects=False).headers["location"].startswith("/signin")


def test_wrong_codes_from_one_address_are_throttled_like_wrong_passwords(
    state: AppState, world: World, clock: ManualClock
) -> None:
    from tocsin.app import create_app

    with TestClient(create_app(state=state)) as client:
        sign_in(client, "so_E1")
        secret, _ = enrol_totp(client, clock.now())
        _signed_out(client)
    state.settings = state.settings.model_copy(update={"rate_limit_auth_failures_per_minute": 2})
    with TestClient(create_app(state=state)) as strict:
        sign_in(strict, "so_E1")
        clock.advance(timedelta(seconds=30))
        wrong = "123456" if code_at(secret, clock.now()) != "123456" else "654321"
        answers = [second_step(strict, wrong).status_code for _ in range(3)]
        assert answers == [401, 401, 429]


def test_a_passkey_step_after_the_sign_in_expired_is_refused_in_the_readers_language(
    client: TestClient, world: World, clock: ManualClock
) -> None:
    sign_in(client, "so_E1")
    enrol_totp(client, clock.now())
    _signed_out(client)
    sign_in(client, "so_E1")
    token = csrf_of(client.get("/signin/verify").text)
    clock.advance(timedelta(minutes=6))
    for path in ("/signin/passkey/options", "/signin/passkey"):
        french = client.post(path, data={"csrf_token": token, "credential": "{}"})
        assert french.status_code == 401
        assert french.json() == {"error": "La connexion a expiré : recommencez."}
    english = client.post("/signin/passkey", data={"csrf_token": token}, headers=EN)
    assert english.json() == {"error": "The sign-in expired: start again."}
