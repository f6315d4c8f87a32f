"""The table of a declaration's regulatory obligations: one row per regime and step.

Rows are written when the declaration changes (`service.refresh`): the due time follows
the facts until the step is sent; a sent step is never changed again, and a step that
stopped applying stays, marked, if anything was recorded on it.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tocsin.db import Base


class RegulatoryObligation(Base):
    __tablename__ = "regulatory_obligations"
    __table_args__ = (
        UniqueConstraint("declaration_id", "regime", "step"),
        Index("ix_regulatory_obligations_open_due", "submitted_at", "due_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    declaration_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("declarations.id", ondelete="CASCADE"), index=True
    )
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    regime: Mapped[str] = mapped_column(String(16))
    step: Mapped[str] = mapped_column(String(32))
    applicable: Mapped[bool] = mapped_column(default=True)
    starts_at: Mapped[datetime | None]
    due_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]
    submitted_by_user_id: Mapped[uuid.UUID | None]
    submitted_by_org_id: Mapped[uuid.UUID | None]
    reference: Mapped[str | None] = mapped_column(String(200))
    file_name: Mapped[str | None] = mapped_column(String(255))
    file_sha256: Mapped[str | None] = mapped_column(String(64))
    late_reason: Mapped[str | None] = mapped_column(Text)
    # The declaration as it was sent, to show what changed in the next step.
    sent_document: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    reminders_sent: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
