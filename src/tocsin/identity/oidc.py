"""The OpenID Connect client (Authlib): authorization code with PKCE, `state` and `nonce`,
and the ID token's signature checked against the provider's JWKS. No storage here.

Each refusal raises `SsoRefused` with a reason code the sign-in page explains.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
from authlib.common.security import generate_token
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from requests import RequestException

TIMEOUT = 10.0
METADATA_TTL = 3600.0


class SsoRefused(Exception):
    """A single sign-on refused; `reason` is a code the page explains."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Metadata:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    algorithms: list[str]
    userinfo_endpoint: str | None


@dataclass(frozen=True)
class Client:
    """One provider as this hub's client of it."""

    issuer: str
    client_id: str
    client_secret: str | None
    scopes: str
    redirect_uri: str
    acr_values: str | None = None  # asked of the provider (Pro Santé Connect wants eidas1)


@dataclass(frozen=True)
class Tokens:
    id_token: str
    access_token: str | None


_cache: dict[str, tuple[float, Metadata, dict[str, Any]]] = {}
_cache_lock = threading.Lock()


def _get_json(url: str) -> dict[str, Any]:
    try:
        response = httpx.get(url, timeout=TIMEOUT, follow_redirects=False)
        response.raise_for_status()
        document = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise SsoRefused("provider_unreachable", f"{url}: {exc}") from exc
    if not isinstance(document, dict):
        raise SsoRefused("provider_unreachable", f"{url}: not a JSON object")
    return document


def discover(issuer: str, *, refresh: bool = False) -> tuple[Metadata, dict[str, Any]]:
    """The provider's metadata and key set, fetched once an hour (or on an unknown key)."""
    with _cache_lock:
        cached = _cache.get(issuer)
    if cached and not refresh and time.monotonic() - cached[0] < METADATA_TTL:
        return cached[1], cached[2]
    document = _get_json(issuer.rstrip("/") + "/.well-known/openid-configuration")
    if document.get("issuer") != issuer:
        raise SsoRefused("issuer", f"the provider calls itself {document.get('issuer')!r}")
    try:
        metadata = Metadata(
            issuer=issuer,
            authorization_endpoint=str(document["authorization_endpoint"]),
            token_endpoint=str(document["token_endpoint"]),
            jwks_uri=str(document["jwks_uri"]),
            algorithms=list(document.get("id_token_signing_alg_values_supported") or ["RS256"]),
            userinfo_endpoint=document.get("userinfo_endpoint"),
        )
    except KeyError as exc:
        raise SsoRefused("provider_unreachable", f"metadata lacks {exc}") from exc
    jwks = _get_json(metadata.jwks_uri)
    with _cache_lock:
        _cache[issuer] = (time.monotonic(), metadata, jwks)
    return metadata, jwks


def _session(client: Client) -> OAuth2Session:
    return OAuth2Session(
        client_id=client.client_id,
        client_secret=client.client_secret,
        scope=client.scopes,
        redirect_uri=client.redirect_uri,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic" if client.client_secret else "none",
    )


@dataclass(frozen=True)
class Request:
    """An authorization request: where to send the browser, and what to keep for the way back."""

    url: str
    state: str
    nonce: str
    code_verifier: str


def authorization_request(client: Client) -> Request:
    """A fresh authorization request with PKCE (S256), `state` and `nonce`."""
    metadata, _ = discover(client.issuer)
    state, nonce, verifier = generate_token(32), generate_token(32), generate_token(64)
    extra = {"acr_values": client.acr_values} if client.acr_values else {}
    with _session(client) as oauth:
        url, _ = oauth.create_authorization_url(
            metadata.authorization_endpoint,
            state=state,
            nonce=nonce,
            code_verifier=verifier,
            **extra,
        )
    return Request(url=url, state=state, nonce=nonce, code_verifier=verifier)


def exchange_code(client: Client, *, code: str, code_verifier: str) -> Tokens:
    """The tokens the provider gives for an authorization code."""
    metadata, _ = discover(client.issuer)
    try:
        with _session(client) as oauth:
            token = oauth.fetch_token(
                metadata.token_endpoint, code=code, code_verifier=code_verifier, timeout=TIMEOUT
            )
    except (OAuthError, RequestException, ValueError) as exc:
        raise SsoRefused("token_exchange", str(exc)) from exc
    id_token, access_token = token.get("id_token"), token.get("access_token")
    if not isinstance(id_token, str):
        raise SsoRefused("token_exchange", "the provider sent no ID token")
    return Tokens(id_token, access_token if isinstance(access_token, str) else None)


def userinfo(client: Client, *, access_token: str, subject: str) -> dict[str, Any]:
    """The UserInfo claims of the person the ID token names (some providers, Pro Santé
    Connect among them, keep the e-mail or the profession there). Refused when they name
    someone else."""
    metadata, _ = discover(client.issuer)
    if not metadata.userinfo_endpoint:
        return {}
    try:
        answer = httpx.get(metadata.userinfo_endpoint, timeout=TIMEOUT,
                           headers={"Authorization": f"Bearer {access_token}"})  # fmt: skip
        answer.raise_for_status()
        claims = answer.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise SsoRefused("token_exchange", f"userinfo: {exc}") from exc
    if not isinstance(claims, dict) or claims.get("sub") != subject:
        raise SsoRefused("claims", "the UserInfo claims name another person")
    return claims


def verify_id_token(
    *,
    id_token: str,
    jwks: dict[str, Any],
    issuer: str,
    client_id: str,
    nonce: str,
    algorithms: list[str],
    now: datetime,
) -> dict[str, Any]:
    """The ID token's claims once its signature, issuer, audience, nonce and times hold."""
    try:
        keys = KeySet.import_key_set(jwks)  # type: ignore[arg-type]
        token = jwt.decode(id_token, keys, algorithms=algorithms)
    except (JoseError, ValueError) as exc:
        raise SsoRefused("signature", str(exc)) from exc
    options: dict[str, Any] = {
        "iss": {"essential": True, "values": [issuer]},
        "aud": {"essential": True, "values": [client_id]},
    }
    claims = CodeIDToken(
        token.claims,
        token.header,
        options,
        {"nonce": nonce, "client_id": client_id},
    )
    try:
        claims.validate(now=int(now.timestamp()), leeway=60)
    except JoseError as exc:
        claim = getattr(exc, "claim", "") or str(exc)
        reason = claim if claim in ("iss", "aud", "nonce", "azp", "exp", "iat") else "claims"
        raise SsoRefused(reason, str(exc)) from exc
    return dict(claims)


def verify_with_provider(
    client: Client, *, id_token: str, nonce: str, now: datetime
) -> dict[str, Any]:
    """`verify_id_token` with the provider's keys, fetching them again once on a key the
    cached set lacks (the provider rotated its keys)."""
    metadata, jwks = discover(client.issuer)
    try:
        return verify_id_token(
            id_token=id_token,
            jwks=jwks,
            issuer=client.issuer,
            client_id=client.client_id,
            nonce=nonce,
            algorithms=metadata.algorithms,
            now=now,
        )
    except SsoRefused as refused:
        if refused.reason != "signature":
            raise
    metadata, jwks = discover(client.issuer, refresh=True)
    return verify_id_token(
        id_token=id_token,
        jwks=jwks,
        issuer=client.issuer,
        client_id=client.client_id,
        nonce=nonce,
        algorithms=metadata.algorithms,
        now=now,
    )
