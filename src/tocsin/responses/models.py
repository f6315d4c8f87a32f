"""Tables of responses: one row per recipient organisation and alert, its history, escalations."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tocsin.db import Base, str_enum
from tocsin.responses.deadlines import Obligation


class Applicability(enum.StrEnum):
    affected = "affected"
    not_affected = "not_affected"
    investigating = "investigating"


class EscalationStatus(enum.StrEnum):
    pending = "pending"
    fired = "fired"


class AlertResponse(Base):
    """What one recipient organisation has done about one alert.

    Created when a revision first reaches the organisation (`reached_*`), so deadlines run
    from there; `updates` is the list of free-text entries {at, by, text}, oldest first.
    `recipient` says whether the organisation is a recipient at the latest revision (a later
    revision may narrow the scope; the row and its history stay).
    """

    __tablename__ = "alert_responses"
    __table_args__ = (UniqueConstraint("alert_id", "org_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    alert_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"))
    org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    recipient: Mapped[bool] = mapped_column(default=True)
    reached_revision: Mapped[int]
    reached_at: Mapped[datetime]
    received_at: Mapped[datetime | None]
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    applicability: Mapped[Applicability | None] = mapped_column(str_enum(Applicability))
    updates: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    last_update_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    changed_at: Mapped[datetime]


class ResponseChange(Base):
    """One change of a response (received, acknowledged, applicability, update, closed)."""

    __tablename__ = "alert_response_changes"
    __table_args__ = (Index("ix_alert_response_changes_alert_org", "alert_id", "org_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    alert_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"))
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    at: Mapped[datetime]
    actor_user_id: Mapped[uuid.UUID | None]
    actor_token_id: Mapped[uuid.UUID | None]
    # {field: {"from": old, "to": new}}; an update's text under "update".
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)


class Escalation(Base):
    """A durable timer while pending, the record of an escalation once fired.

    Stage 1 tells the recipient's directors; stage 2 its group and region relays. Pending
    rows are derived (planned by the tick from the responses and the settings) and deleted
    when they no longer apply; fired rows are history. A tick claims a due row by moving it
    from pending to fired in its transaction, so two nodes never fire the same row.
    """

    __tablename__ = "escalations"
    __table_args__ = (
        UniqueConstraint("alert_id", "org_id", "obligation", "stage"),
        Index("ix_escalations_status_due_at", "status", "due_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    alert_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"))
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    obligation: Mapped[Obligation] = mapped_column(str_enum(Obligation))
    stage: Mapped[int]
    due_at: Mapped[datetime]
    status: Mapped[EscalationStatus] = mapped_column(str_enum(EscalationStatus))
    fired_at: Mapped[datetime | None]
    # Who was told: organisations (live event) and e-mail addresses.
    notified_orgs: Mapped[list[str]] = mapped_column(JSON, default=list)
    notified_emails: Mapped[list[str]] = mapped_column(JSON, default=list)
