"""The ID token checks, on tokens signed here: signature against the provider's key set,
issuer, audience, nonce and times. Each refusal names its reason."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from tocsin.identity.oidc import SsoRefused, verify_id_token

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ISSUER, CLIENT = "https://idp.chu-exemple.fr", "tocsin-hub"
KEY = RSAKey.generate_key(2048, parameters={"kid": "k1", "alg": "RS256", "use": "sig"})
OTHER = RSAKey.generate_key(2048, parameters={"kid": "k1", "alg": "RS256", "use": "sig"})
JWKS = KeySet([KEY]).as_dict(private=False)


def _token(key: RSAKey = KEY, **changes: Any) -> str:
    claims = {"iss": ISSUER, "sub": "42", "aud": CLIENT, "nonce": "n-1",
              "iat": int(NOW.timestamp()), "exp": int((NOW + timedelta(minutes=5)).timestamp()),
              "email": "ada@chu-exemple.fr"} | changes  # fmt: skip
    return jwt.encode({"alg": "RS256", "kid": "k1"}, claims, key)


def _verify(token: str, nonce: str = "n-1", now: datetime = NOW) -> dict[str, Any]:
    return verify_id_token(id_token=token, jwks=JWKS, issuer=ISSUER, client_id=CLIENT,
                           nonce=nonce, algorithms=["RS256"], now=now)  # fmt: skip


def test_a_good_token_gives_its_claims() -> None:
    assert _verify(_token())["email"] == "ada@chu-exemple.fr"


@pytest.mark.parametrize(
    ("token", "nonce", "now", "reason"),
    [
        (_token(OTHER), "n-1", NOW, "signature"),
        (_token(iss="https://evil.example"), "n-1", NOW, "iss"),
        (_token(aud="another-client"), "n-1", NOW, "aud"),
        (_token(aud=["another-client", "third"]), "n-1", NOW, "aud"),
        (_token(), "n-2", NOW, "nonce"),
        (_token(nonce=None), "n-1", NOW, "nonce"),
        (_token(), "n-1", NOW + timedelta(minutes=10), "exp"),
    ],
    ids=["signature", "issuer", "audience", "audiences", "nonce", "no nonce", "expired"],
)
def test_each_bad_token_is_refused_with_its_reason(
    token: str, nonce: str, now: datetime, reason: str
) -> None:
    with pytest.raises(SsoRefused) as refused:
        _verify(token, nonce, now)
    assert refused.value.reason == reason


def test_an_unsigned_token_is_refused() -> None:
    unsigned = "eyJhbGciOiJub25lIn0." + _token().split(".")[1] + "."  # {"alg":"none"}
    with pytest.raises(SsoRefused) as refused:
        _verify(unsigned)
    assert refused.value.reason == "signature"
