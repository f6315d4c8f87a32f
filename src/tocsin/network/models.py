"""Tables of the network: organisations, users, their roles, API tokens, browser sessions."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tocsin.db import Base, str_enum


class OrgKind(enum.StrEnum):
    establishment = "establishment"
    group = "group"
    region = "region"
    national = "national"
    partner = "partner"


class Role(enum.StrEnum):
    director = "director"
    security_officer = "security_officer"
    it_staff = "it_staff"
    analyst = "analyst"
    viewer = "viewer"


class Nis2Status(enum.StrEnum):
    """The organisation's NIS2 status (Directive (EU) 2022/2555 art. 3, Annex I "health"):
    large healthcare providers are essential entities, medium ones important."""

    essential = "essential"
    important = "important"
    none = "none"


class Scope(enum.StrEnum):
    read = "read"
    write = "write"
    admin = "admin"


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[OrgKind] = mapped_column(str_enum(OrgKind), index=True)
    finess: Mapped[str | None] = mapped_column(String(9), unique=True)
    legal_finess: Mapped[str | None] = mapped_column(String(9))
    group_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    region_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    created_at: Mapped[datetime]
    # Regulatory status: which clocks start when it declares an incident (obligations/).
    nis2: Mapped[Nis2Status] = mapped_column(
        str_enum(Nis2Status), default=Nis2Status.none, server_default="none"
    )
    # A health establishment or medico-social service bound by CSP L.1111-8-2 (ARS).
    csp_health: Mapped[bool] = mapped_column(default=False, server_default="0")


class User(Base):
    __tablename__ = "users"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )


class Membership(Base):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "organisation_id", "role"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[Role] = mapped_column(str_enum(Role))

    user: Mapped[User] = relationship(back_populates="memberships")


class ApiToken(Base):
    """A bearer token acting for one organisation, for a user or an integration.

    Only the SHA-256 digest of the secret is kept; the secret is shown once.
    """

    __tablename__ = "api_tokens"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    scopes: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]


class WebSession(Base):
    """One signed-in browser; only the SHA-256 digest of its cookie value is stored. The
    organisation is chosen after sign-in when the user has several.

    `second_factor` names how the second step was passed (totp, passkey, recovery, or the
    identity provider's own MFA), None for a password alone; `enrolment_required` marks a
    session that may only enrol a second factor, as the policy asks (no page, no stream).
    """

    __tablename__ = "web_sessions"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)
    source_ip: Mapped[str | None] = mapped_column(String(64))
    last_seen_at: Mapped[datetime | None]
    user_agent: Mapped[str | None] = mapped_column(String(300))
    second_factor: Mapped[str | None] = mapped_column(String(32))
    enrolment_required: Mapped[bool] = mapped_column(default=False)
