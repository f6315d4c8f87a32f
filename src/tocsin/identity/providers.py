"""Organisations' OpenID Connect providers: add, list, remove, and read a client secret.
Never commits."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tocsin.audit.service import Actor
from tocsin.audit.service import record as audit
from tocsin.errors import InvalidInput, NotFound
from tocsin.identity.models import IdentityProvider
from tocsin.identity.sealing import seal, unseal
from tocsin.network.models import Organisation
from tocsin.settings import Settings

PURPOSE = "oidc client secret"


@dataclass(frozen=True)
class Choice:
    """A button of the sign-in page."""

    slug: str
    name: str


def sign_in_choices(*, session: Session) -> list[Choice]:
    rows = session.execute(
        select(IdentityProvider.slug, IdentityProvider.name).order_by(IdentityProvider.name)
    )
    return [Choice(slug=slug, name=name) for slug, name in rows]


def by_slug(*, session: Session, slug: str) -> IdentityProvider:
    provider = session.scalar(select(IdentityProvider).where(IdentityProvider.slug == slug))
    if provider is None:
        raise NotFound("no such identity provider")
    return provider


def create(
    *,
    session: Session,
    organisation_id: uuid.UUID,
    fields: dict[str, Any],
    secret_key: str,
    now: datetime,
    actor: Actor,
) -> IdentityProvider:
    """Add a provider to an organisation; a client secret given here is sealed; audited."""
    if session.get(Organisation, organisation_id) is None:
        raise NotFound("no such organisation")
    if session.scalar(select(IdentityProvider.id).where(IdentityProvider.slug == fields["slug"])):
        raise InvalidInput.one("slug", "already used by another identity provider")
    secret = fields.pop("client_secret", None)
    sealed = seal(secret_key=secret_key, purpose=PURPOSE, plaintext=secret) if secret else None
    provider = IdentityProvider(
        organisation_id=organisation_id, client_secret_sealed=sealed, created_at=now, **fields
    )
    session.add(provider)
    session.flush()
    audit(
        session=session,
        actor=actor,
        action="identity.provider_add",
        target_type="identity_provider",
        target_id=provider.id,
        at=now,
        concerns=[organisation_id],
        details={"slug": provider.slug, "issuer": provider.issuer},
    )
    return provider


def of_organisation(*, session: Session, organisation_id: uuid.UUID) -> list[IdentityProvider]:
    query = select(IdentityProvider).where(IdentityProvider.organisation_id == organisation_id)
    return list(session.scalars(query.order_by(IdentityProvider.slug)))


def remove(
    *,
    session: Session,
    organisation_id: uuid.UUID,
    provider_id: uuid.UUID,
    now: datetime,
    actor: Actor,
) -> None:
    """Remove a provider (its people keep their accounts); audited."""
    provider = session.get(IdentityProvider, provider_id)
    if provider is None or provider.organisation_id != organisation_id:
        raise NotFound("no such identity provider")
    session.delete(provider)
    audit(
        session=session,
        actor=actor,
        action="identity.provider_remove",
        target_type="identity_provider",
        target_id=provider_id,
        at=now,
        concerns=[organisation_id],
        details={"slug": provider.slug},
    )


def client_secret(provider: IdentityProvider, settings: Settings) -> str | None:
    """The settings' secret for this slug first, else the sealed one, else none (a public
    client, PKCE only)."""
    configured = settings.oidc_client_secrets.get(provider.slug)
    if configured is not None:
        return configured.get_secret_value()
    if provider.client_secret_sealed:
        secret_key = settings.secret_key.get_secret_value()
        return unseal(secret_key=secret_key, purpose=PURPOSE, sealed=provider.client_secret_sealed)
    return None
