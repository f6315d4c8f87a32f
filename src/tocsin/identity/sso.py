"""Single sign-on through an organisation's OpenID Connect provider: the request in flight,
and the person the verified claims name (found, or created just in time). Never commits.

Nothing is created unless every check holds: the state is this browser's and fresh, the
ID token verifies, the e-mail is in one of the organisation's domains, the provider's own
MFA is shown when required, and a new person gets a role the mapping names.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tocsin.audit.service import SYSTEM, Actor
from tocsin.audit.service import record as audit
from tocsin.clock import as_utc
from tocsin.identity import oidc
from tocsin.identity.models import IdentityProvider, SsoLogin
from tocsin.identity.oidc import SsoRefused
from tocsin.identity.providers import client_secret
from tocsin.network import service as network_service
from tocsin.network.models import Membership, Role, User
from tocsin.settings import Settings

LOGIN_TIME = timedelta(minutes=10)
CALLBACK = "/signin/sso/callback"
MFA_METHODS = frozenset({"mfa", "otp", "hwk", "swk", "sc", "face", "fpt", "iris", "pin"})


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def client_of(provider: IdentityProvider, settings: Settings) -> oidc.Client:
    acr = " ".join(provider.accepted_acr) if provider.require_mfa else None
    return oidc.Client(
        acr_values=acr or None,
        issuer=provider.issuer,
        client_id=provider.client_id,
        client_secret=client_secret(provider, settings),
        scopes=provider.scopes,
        redirect_uri=settings.public_url.rstrip("/") + CALLBACK,
    )


def claims_of(
    client: oidc.Client, provider: IdentityProvider, *, tokens: oidc.Tokens, nonce: str,
    now: datetime,
) -> dict[str, Any]:  # fmt: skip
    """The verified ID token's claims, completed from UserInfo when the e-mail or the roles
    are kept there (the ID token's own claims win)."""
    claims = oidc.verify_with_provider(client, id_token=tokens.id_token, nonce=nonce, now=now)
    wanted = [provider.email_claim] + ([provider.roles_claim] if provider.roles_claim else [])
    if tokens.access_token and any(name not in claims for name in wanted):
        extra = oidc.userinfo(client, access_token=tokens.access_token, subject=claims["sub"])
        claims = extra | claims
    return claims


def start(
    *,
    session: Session,
    provider: IdentityProvider,
    settings: Settings,
    binding: str,
    next_path: str,
    now: datetime,
) -> str:
    """Keep the request (state digest, nonce, verifier) bound to this browser; the URL to go to."""
    request = oidc.authorization_request(client_of(provider, settings))
    session.add(
        SsoLogin(
            state_digest=_digest(request.state),
            binding_digest=_digest(binding),
            provider_id=provider.id,
            nonce=request.nonce,
            code_verifier=request.code_verifier,
            next_path=next_path,
            created_at=now,
            expires_at=now + LOGIN_TIME,
        )
    )
    return request.url


def take(*, session: Session, state: str, binding: str | None, now: datetime) -> SsoLogin:
    """The request this `state` answers, used up; refused when forged, stale or another
    browser's (a login forced on someone else)."""
    login = session.scalar(select(SsoLogin).where(SsoLogin.state_digest == _digest(state)))
    if login is None or as_utc(login.expires_at) <= now:
        raise SsoRefused("state", "unknown or expired state")
    session.delete(login)
    session.flush()
    if binding is None or _digest(binding) != login.binding_digest:
        raise SsoRefused("state", "the sign-in was started in another browser")
    return login


def _mfa_shown(provider: IdentityProvider, claims: dict[str, Any]) -> bool:
    amr = claims.get("amr") or []
    methods = set(amr) if isinstance(amr, list) else set()
    return bool(methods & MFA_METHODS) or (
        bool(provider.accepted_acr) and claims.get("acr") in provider.accepted_acr
    )


def _roles(provider: IdentityProvider, claims: dict[str, Any]) -> list[Role]:
    values = claims.get(provider.roles_claim) if provider.roles_claim else None
    values = [values] if isinstance(values, str) else values if isinstance(values, list) else []
    mapped = {Role(provider.role_map[v]) for v in values if v in provider.role_map}
    if not mapped and provider.default_role is not None:
        mapped = {provider.default_role}
    return sorted(mapped)


def _email(provider: IdentityProvider, claims: dict[str, Any]) -> str:
    email = claims.get(provider.email_claim)
    if not isinstance(email, str) or "@" not in email:
        raise SsoRefused("email", f"the provider sent no e-mail in '{provider.email_claim}'")
    if claims.get("email_verified") is False:
        raise SsoRefused("email", "the provider says this e-mail is not verified")
    email = email.strip().lower()
    domain = email.rsplit("@", 1)[1]
    if domain not in {d.lower() for d in provider.allowed_domains}:
        raise SsoRefused("domain", f"{domain} is not a domain of this organisation")
    return email


@dataclass(frozen=True)
class Signed:
    user: User
    mfa: bool  # the provider showed its own multi-factor authentication


def person_of(
    *,
    session: Session,
    provider: IdentityProvider,
    claims: dict[str, Any],
    now: datetime,
    source_ip: str | None,
) -> Signed:
    """The active person these verified claims name in the provider's organisation, created
    just in time when absent; audited (`identity.sso_sign_in`)."""
    email = _email(provider, claims)
    mfa = _mfa_shown(provider, claims)
    if provider.require_mfa and not mfa:
        raise SsoRefused("mfa", "the provider did not show a second factor (acr/amr)")
    user = session.scalar(select(User).where(User.email == email))
    created = user is None
    if user is None:
        roles = _roles(provider, claims)
        if not roles:
            raise SsoRefused("role", "no role of this organisation maps from the provider's claims")
        name = str(
            claims.get("name")
            or " ".join(str(claims.get(k, "")) for k in ("given_name", "family_name")).strip()
            or email
        )
        user = network_service.create_user(
            session=session,
            email=email,
            display_name=name[:200],
            organisation_id=provider.organisation_id,
            roles=roles,
            now=now,
            actor=SYSTEM,
        )
    elif not user.active:
        raise SsoRefused("inactive", "this account is disabled")
    elif not session.scalar(
        select(Membership.id)
        .where(
            Membership.user_id == user.id, Membership.organisation_id == provider.organisation_id
        )
        .limit(1)
    ):
        raise SsoRefused("organisation", "this person has no role in the provider's organisation")
    audit(
        session=session,
        actor=Actor(user_id=user.id, org_id=provider.organisation_id, source_ip=source_ip),
        action="identity.sso_sign_in",
        target_type="user",
        target_id=user.id,
        at=now,
        concerns=[provider.organisation_id],
        details={
            "provider": provider.slug,
            "subject": str(claims.get("sub", "")),
            "created": created,
            "mfa": mfa,
        },
    )
    return Signed(user=user, mfa=mfa)
