"""API shapes of identity: an organisation's OpenID Connect providers."""

from __future__ import annotations

import contextlib
import ipaddress
import uuid
from datetime import datetime
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from tocsin.network.models import Role


def _issuer(value: str) -> str:
    """https, or plain http only on the loopback (a provider run beside the hub in tests)."""
    parts = urlsplit(value)
    if parts.scheme == "https" and parts.hostname:
        return value
    if parts.scheme == "http" and parts.hostname:
        host = parts.hostname
        loopback = host == "localhost"
        with contextlib.suppress(ValueError):
            loopback = loopback or ipaddress.ip_address(host).is_loopback
        if loopback:
            return value
    raise ValueError("an https URL (plain http only on the loopback)")


def _domain(value: str) -> str:
    value = value.strip().lower()
    if not value or "@" in value or "." not in value or " " in value:
        raise ValueError("a domain name such as chu-exemple.fr")
    return value


Issuer = Annotated[str, Field(max_length=500), AfterValidator(_issuer)]
Domain = Annotated[str, Field(max_length=253), AfterValidator(_domain)]


class ProviderIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    slug: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,63}$", description="in the sign-in URL")
    name: str = Field(min_length=1, max_length=200, description="on the sign-in button")
    issuer: Issuer
    client_id: str = Field(min_length=1, max_length=200)
    client_secret: str | None = Field(
        default=None,
        max_length=500,
        description="sealed in the database; or set TOCSIN_OIDC_CLIENT_SECRETS instead",
    )
    scopes: str = Field(default="openid email profile", max_length=300, pattern=r"\bopenid\b")
    email_claim: str = Field(default="email", min_length=1, max_length=64)
    roles_claim: str | None = Field(default=None, max_length=64)
    role_map: dict[str, Role] = Field(
        default_factory=dict, description="a value of the roles claim -> a role in tocsin"
    )
    default_role: Role | None = Field(
        default=None, description="the role of a new person whose claims map to none"
    )
    allowed_domains: list[Domain] = Field(min_length=1, max_length=50)
    require_mfa: bool = Field(default=False, description="refuse unless acr/amr show MFA")
    accepted_acr: list[str] = Field(default_factory=list, max_length=20)


class ProviderOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    organisation_id: uuid.UUID
    slug: str
    name: str
    issuer: str
    client_id: str
    scopes: str
    email_claim: str
    roles_claim: str | None
    role_map: dict[str, Role]
    default_role: Role | None
    allowed_domains: list[str]
    require_mfa: bool
    accepted_acr: list[str]
    created_at: datetime
