"""Tables of declarations: the current state, its history, the incident log, proposals.

A declaration's link to the alert a relay published lives here (`alert_id`), so the
alerts tables know nothing of declarations. `relay_deadline` is the durable timer of the
automatic publication: the deadline job looks for open rows past it.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tocsin.alerts.vocab import Category, Severity
from tocsin.db import Base, str_enum
from tocsin.relay.vocab import (
    DeclarationStatus,
    HistoryAction,
    LogKind,
    Nature,
    ProposalStatus,
)
from tocsin.sharing.tlp import TLP


class Declaration(Base):
    __tablename__ = "declarations"
    __table_args__ = (Index("ix_declarations_status_deadline", "status", "relay_deadline"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    declared_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[DeclarationStatus] = mapped_column(str_enum(DeclarationStatus))
    version: Mapped[int] = mapped_column(default=1)
    title: Mapped[str] = mapped_column(String(300))
    category: Mapped[int] = mapped_column(Integer)
    kind: Mapped[Category | None] = mapped_column(str_enum(Category))
    nature: Mapped[Nature] = mapped_column(str_enum(Nature))
    severity: Mapped[Severity] = mapped_column(str_enum(Severity))
    tlp: Mapped[TLP] = mapped_column(str_enum(TLP))
    anonymous: Mapped[bool] = mapped_column(default=False)
    # When the establishment became aware: the legal clocks (obligations/) count from it.
    aware_at: Mapped[datetime | None]
    identity: Mapped[dict[str, Any]] = mapped_column(JSON)
    description: Mapped[dict[str, Any]] = mapped_column(JSON)
    impacts: Mapped[dict[str, Any]] = mapped_column(JSON)
    causes: Mapped[dict[str, Any]] = mapped_column(JSON)
    attack_steps: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    indicators: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    countermeasures: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    auto_share: Mapped[dict[str, Any]] = mapped_column(JSON)
    checklist: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    alert_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("alerts.id", ondelete="SET NULL"), index=True
    )
    relay_deadline: Mapped[datetime | None]
    qualified_by_org_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisations.id"))
    qualified_at: Mapped[datetime | None]
    auto_published_at: Mapped[datetime | None]
    resolution: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(index=True)
    updated_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]


class DeclarationHistory(Base):
    """One row per change: the full document after it. Never updated, never deleted."""

    __tablename__ = "declaration_history"
    __table_args__ = (UniqueConstraint("declaration_id", "version"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    declaration_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("declarations.id", ondelete="CASCADE")
    )
    version: Mapped[int]
    action: Mapped[HistoryAction] = mapped_column(str_enum(HistoryAction))
    at: Mapped[datetime]
    by_org_id: Mapped[uuid.UUID | None]
    by_user_id: Mapped[uuid.UUID | None]
    fields: Mapped[list[str]] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)


class IncidentLogEntry(Base):
    """The incident log (main courante): timestamped entries by anyone in the crisis cell."""

    __tablename__ = "incident_log"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    declaration_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("declarations.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime]
    recorded_at: Mapped[datetime]
    kind: Mapped[LogKind] = mapped_column(str_enum(LogKind))
    text: Mapped[str] = mapped_column(Text)
    checklist_item: Mapped[str | None] = mapped_column(String(64))
    author_org_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisations.id"))
    author_user_id: Mapped[uuid.UUID | None]


class RelayProposal(Base):
    """A declarant's change after publication, waiting for a relay to apply it to the alert."""

    __tablename__ = "relay_proposals"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    declaration_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("declarations.id", ondelete="CASCADE"), index=True
    )
    declaration_version: Mapped[int]
    status: Mapped[ProposalStatus] = mapped_column(str_enum(ProposalStatus))
    fields: Mapped[list[str]] = mapped_column(JSON)
    patch: Mapped[dict[str, Any]] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    applied_at: Mapped[datetime | None]
    applied_by_org_id: Mapped[uuid.UUID | None]
