"""Tables of posture: checklist items (data, edited by the national CERT), answers, sign-offs."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tocsin.db import Base, str_enum


class Domain(enum.StrEnum):
    """The domains of the national hospital cybersecurity programme (CaRE)."""

    governance = "governance"
    resilience = "resilience"
    awareness = "awareness"
    operational_security = "operational_security"


class ItemStatus(enum.StrEnum):
    done = "done"
    partial = "partial"
    not_done = "not_done"
    not_applicable = "not_applicable"


class PostureItem(Base):
    __tablename__ = "posture_items"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    domain: Mapped[Domain] = mapped_column(str_enum(Domain))
    title_fr: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300))
    weight: Mapped[int] = mapped_column(default=1)
    # Evidence older than this no longer counts ("a restore test in the last 12 months").
    max_age_days: Mapped[int | None]
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime]


class PostureAnswer(Base):
    """Where one establishment stands on one item, with its evidence and who said so."""

    __tablename__ = "posture_answers"
    __table_args__ = (UniqueConstraint("organisation_id", "item_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("posture_items.id", ondelete="CASCADE"))
    status: Mapped[ItemStatus] = mapped_column(str_enum(ItemStatus))
    evidence: Mapped[str] = mapped_column(Text, default="")
    evidenced_on: Mapped[datetime | None]
    updated_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime]


class PostureSignoff(Base):
    """A director's signature of the checklist as it stood, with the score at that moment."""

    __tablename__ = "posture_signoffs"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    signed_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    signed_at: Mapped[datetime]
    score: Mapped[int]
    note: Mapped[str] = mapped_column(Text, default="")
