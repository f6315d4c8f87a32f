"""Tables of identity: second factors, pending second steps, the lockout, identity providers."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from tocsin.db import Base, str_enum
from tocsin.network.models import Role


class SignInLockout(Base):
    """Wrong passwords and second-factor codes per account, shared by every node.

    Keyed by the e-mail typed (lower-cased), known or not, so the lock says nothing about
    whether an account exists."""

    __tablename__ = "sign_in_lockouts"

    account: Mapped[str] = mapped_column(String(254), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(index=True)


class TotpFactor(Base):
    """A TOTP authenticator (RFC 6238). The shared secret is sealed with the node's key (it
    must be read back to check a code, so it cannot be hashed); `last_step` refuses replays."""

    __tablename__ = "totp_factors"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), unique=True
    )
    secret_sealed: Mapped[str] = mapped_column(String(300))
    confirmed_at: Mapped[datetime | None]
    last_step: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime]


class RecoveryCode(Base):
    """A single-use recovery code; only its SHA-256 digest is kept (shown once)."""

    __tablename__ = "recovery_codes"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class Passkey(Base):
    """A WebAuthn credential: a security key or a platform authenticator."""

    __tablename__ = "passkeys"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    credential_id: Mapped[str] = mapped_column(String(1400), unique=True)  # base64url
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    sign_count: Mapped[int] = mapped_column(BigInteger, default=0)
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]


class PendingSignIn(Base):
    """A browser past the first step (password or identity provider) that owes the second.
    No session exists until the second step passes; only the cookie's digest is kept."""

    __tablename__ = "pending_sign_ins"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    via: Mapped[str] = mapped_column(String(80))
    next_path: Mapped[str] = mapped_column(String(500))
    challenge: Mapped[bytes | None] = mapped_column(LargeBinary)  # of a passkey assertion
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)


class PasskeyRegistration(Base):
    """The challenge of a passkey being registered by a signed-in browser."""

    __tablename__ = "passkey_registrations"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    web_session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("web_sessions.id", ondelete="CASCADE"), unique=True
    )
    challenge: Mapped[bytes] = mapped_column(LargeBinary)
    expires_at: Mapped[datetime]


class IdentityProvider(Base):
    """An organisation's OpenID Connect provider. The client secret comes from settings
    (`TOCSIN_OIDC_CLIENT_SECRETS`, by slug) or is sealed here."""

    __tablename__ = "identity_providers"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    issuer: Mapped[str] = mapped_column(String(500))
    client_id: Mapped[str] = mapped_column(String(200))
    client_secret_sealed: Mapped[str | None] = mapped_column(String(700))
    scopes: Mapped[str] = mapped_column(String(300))
    email_claim: Mapped[str] = mapped_column(String(64))
    roles_claim: Mapped[str | None] = mapped_column(String(64))
    role_map: Mapped[dict[str, str]] = mapped_column(JSON)
    default_role: Mapped[Role | None] = mapped_column(str_enum(Role))
    allowed_domains: Mapped[list[str]] = mapped_column(JSON)
    require_mfa: Mapped[bool] = mapped_column(default=False)
    accepted_acr: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime]


class SsoLogin(Base):
    """One authorization request in flight: found by the digest of its `state`, bound to
    the browser that started it, used once."""

    __tablename__ = "sso_logins"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    state_digest: Mapped[str] = mapped_column(String(64), unique=True)
    binding_digest: Mapped[str] = mapped_column(String(64))
    provider_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("identity_providers.id", ondelete="CASCADE")
    )
    nonce: Mapped[str] = mapped_column(String(100))
    code_verifier: Mapped[str] = mapped_column(String(200))
    next_path: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)
