"""Driving the identity pages like a person: enrol an authenticator app, pass the second step."""

from __future__ import annotations

import re
from datetime import datetime

import pyotp
from fastapi.testclient import TestClient

from tests.web.helpers import csrf_of, page_token, sign_in

EN = {"Accept-Language": "en"}
_SECRET = re.compile(r'id="totp-secret">([A-Z2-7]+)<')
_CODES = re.compile(r"<li><code>([a-z0-9-]{14})</code></li>")


def code_at(secret: str, moment: datetime, steps: int = 0) -> str:
    """The code an authenticator app shows at `moment`, `steps` of 30 s later or earlier."""
    totp = pyotp.TOTP(secret)
    return totp.generate_otp(totp.timecode(moment) + steps)


def start_totp(client: TestClient) -> str:
    """Ask for an authenticator app on the security page; the secret the page shows."""
    token = page_token(client, "/account/security")
    started = client.post("/account/security/totp", data={"csrf_token": token}, headers=EN)
    assert started.status_code == 200, started.text
    match = _SECRET.search(started.text)
    assert match, "the page shows no key"
    return match.group(1)


def enrol_totp(client: TestClient, moment: datetime) -> tuple[str, list[str]]:
    """Enrol an authenticator app in a signed-in client: (secret, recovery codes)."""
    secret = start_totp(client)
    token = page_token(client, "/account/security")
    confirmed = client.post(
        "/account/security/totp/confirm",
        data={"csrf_token": token, "code": code_at(secret, moment)},
        headers=EN,
    )
    assert confirmed.status_code == 200, confirmed.text
    codes = _CODES.findall(confirmed.text)
    assert len(codes) == 10, confirmed.text
    return secret, codes


def second_step(client: TestClient, code: str, **headers: str) -> object:
    """Post a code to the second step of sign-in."""
    page = client.get("/signin/verify", headers=headers)
    return client.post(
        "/signin/verify",
        data={"code": code, "csrf_token": csrf_of(page.text)},
        headers=headers,
        follow_redirects=False,
    )


__all__ = ["EN", "code_at", "enrol_totp", "second_step", "sign_in", "start_totp"]
