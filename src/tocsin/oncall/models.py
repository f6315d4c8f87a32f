"""The on-call list of an organisation, one row per person, in the order they are called."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from tocsin.db import Base


class OnCallContact(Base):
    __tablename__ = "on_call_contacts"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(20))  # E.164
    hours: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[datetime]
