"""Tables of alerts: the current state, its indicators, its immutable revisions, its readers."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tocsin.alerts.vocab import Category, RevisionAction, Severity, Status
from tocsin.db import Base, str_enum
from tocsin.indicators.types import IndicatorType
from tocsin.sharing.rules import ScopeKind
from tocsin.sharing.tlp import PAP, TLP


class Alert(Base):
    __tablename__ = "alerts"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    source_org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[Status] = mapped_column(str_enum(Status), index=True)
    revision: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text)
    category: Mapped[Category] = mapped_column(str_enum(Category), index=True)
    severity: Mapped[Severity] = mapped_column(str_enum(Severity), index=True)
    tlp: Mapped[TLP] = mapped_column(str_enum(TLP), index=True)
    pap: Mapped[PAP] = mapped_column(str_enum(PAP))
    scope_kind: Mapped[ScopeKind] = mapped_column(str_enum(ScopeKind))
    scope_area_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisations.id"))
    named: Mapped[list[str]] = mapped_column(JSON, default=list)
    anonymous: Mapped[bool] = mapped_column(default=False)
    # The establishment the incident hit (None: an advisory about no one in particular).
    affected_org_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organisations.id"), index=True
    )
    first_seen: Mapped[datetime | None]
    care_impact: Mapped[dict[str, Any]] = mapped_column(JSON)
    origin: Mapped[dict[str, Any]] = mapped_column(JSON)
    attack_steps: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    countermeasures: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(index=True)
    updated_at: Mapped[datetime]
    published_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    retracted_at: Mapped[datetime | None]
    retract_reason: Mapped[str | None] = mapped_column(Text)
    # A rehearsal (`tocsin.exercises`): marked on every channel, kept out of every feed.
    exercise: Mapped[bool] = mapped_column(default=False, server_default=false())
    # A deadline to acknowledge of its own (an exercise's), instead of the severity's.
    acknowledge_minutes: Mapped[int | None]

    # The live (not withdrawn) indicators, kept with them: lists show the count without
    # reading an alert's indicators, which may be 50,000.
    indicator_count: Mapped[int] = mapped_column(default=0)

    # Loaded when used, never with every alert read: a list or a check of visibility must
    # not pay for a large alert's indicators.
    indicators: Mapped[list[AlertIndicator]] = relationship(
        back_populates="alert",
        order_by="AlertIndicator.position",
        cascade="all, delete-orphan",
        lazy="select",
    )


class AlertIndicator(Base):
    """One indicator of an alert. Withdrawn ones stay, so sightings keep their target."""

    __tablename__ = "alert_indicators"
    __table_args__ = (
        UniqueConstraint("alert_id", "type", "value"),
        Index("ix_alert_indicators_value", "value"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    alert_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"))
    position: Mapped[int]
    type: Mapped[IndicatorType] = mapped_column(str_enum(IndicatorType))
    value: Mapped[str] = mapped_column(String(4096))
    comment: Mapped[str | None] = mapped_column(Text)
    first_seen: Mapped[datetime | None]
    valid_until: Mapped[datetime | None]
    created_at: Mapped[datetime]
    withdrawn_at: Mapped[datetime | None]
    # Context (a MISP attribute with to_ids false, an observation): shown, searched and
    # correlated, never in blocklists, the RPZ or detection exports.
    context: Mapped[bool] = mapped_column(default=False, server_default=false())

    alert: Mapped[Alert] = relationship(back_populates="indicators")


class AlertRevision(Base):
    """An immutable snapshot written at each publish, update, close or retract."""

    __tablename__ = "alert_revisions"
    __table_args__ = (UniqueConstraint("alert_id", "number"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    alert_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"))
    number: Mapped[int]
    action: Mapped[RevisionAction] = mapped_column(str_enum(RevisionAction))
    author_user_id: Mapped[uuid.UUID | None]
    author_org_id: Mapped[uuid.UUID]
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    document: Mapped[dict[str, Any]] = mapped_column(JSON)


class AlertAudience(Base):
    """Organisations allowed to read a restricted (AMBER, AMBER+STRICT, RED) alert.

    Derived from the sharing rules at each revision: an index for listing, never the
    authority; every read is checked again with `sharing.rules.can_see`.
    """

    __tablename__ = "alert_audience"

    alert_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("alerts.id", ondelete="CASCADE"), primary_key=True
    )
    org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True, index=True
    )
