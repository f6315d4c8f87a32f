"""The audit trail: one row per state change or sensitive read, chained by hash."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from tocsin.db import Base


class AuditRecord(Base):
    __tablename__ = "audit_records"

    # BigInteger on PostgreSQL, INTEGER (the rowid alias) on SQLite.
    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    at: Mapped[datetime] = mapped_column(index=True)
    actor_user_id: Mapped[uuid.UUID | None]
    actor_org_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    actor_token_id: Mapped[uuid.UUID | None]
    source_ip: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64), index=True)
    target_type: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[str] = mapped_column(String(64), index=True)
    # Organisations the record concerns: who may read it besides the actor.
    concerns: Mapped[list[str]] = mapped_column(JSON)
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Which key signed the digest (`chain.key_id`); "sha256" for records from before keys.
    key_id: Mapped[str] = mapped_column(String(16))
    prev_digest: Mapped[str] = mapped_column(String(64))
    digest: Mapped[str] = mapped_column(String(64), unique=True)


class AuditConcern(Base):
    """Which organisations a record concerns: an index for reading the trail by perimeter.

    The chained digest covers the record's own `concerns` list; this table only speeds reads.
    """

    __tablename__ = "audit_concerns"

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"),
        ForeignKey("audit_records.seq", ondelete="CASCADE"),
        primary_key=True,
    )
    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, index=True)
