"""Tables of the TAXII server: stored STIX objects (one row per version) and POST statuses."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tocsin.db import Base, JSONDoc


class TaxiiObject(Base):
    """One version of one STIX object in one collection.

    `added_us` (microseconds since the epoch) is the TAXII `date_added`: unique across the
    whole table and strictly increasing in commit order, so `added_after` and the `next`
    cursor never skip nor repeat an object. The STIX text is kept as sent, to be served
    without parsing it again.
    """

    __tablename__ = "taxii_objects"
    __table_args__ = (
        UniqueConstraint("collection_id", "stix_id", "version_us"),
        Index("ix_taxii_objects_collection_id_added_us", "collection_id", "added_us"),
    )

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    collection_id: Mapped[str] = mapped_column(String(64))
    added_us: Mapped[int] = mapped_column(BigInteger, unique=True)
    stix_id: Mapped[str] = mapped_column(String(128))
    stix_type: Mapped[str] = mapped_column(String(64))
    spec_version: Mapped[str] = mapped_column(String(8))
    version: Mapped[str] = mapped_column(String(40))
    version_us: Mapped[int] = mapped_column(BigInteger)
    # The first and the last version of this id in this collection (kept up to date on
    # every insert and delete), so match[version]=first|last is a plain indexed filter.
    earliest: Mapped[bool] = mapped_column(default=True)
    latest: Mapped[bool] = mapped_column(default=True)
    alert_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("alerts.id", ondelete="CASCADE"), index=True
    )
    owner_org_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    body: Mapped[str] = mapped_column(Text)


class TaxiiStatus(Base):
    """The outcome of one POST of objects, readable by the organisation that sent it."""

    __tablename__ = "taxii_statuses"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    collection_id: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[datetime]
    total_count: Mapped[int]
    success_count: Mapped[int]
    failure_count: Mapped[int]
    # {"successes": [{id, version, message?}], "failures": [...]}: the TAXII status details.
    details: Mapped[dict[str, Any]] = mapped_column(JSONDoc)


class TaxiiAlertBacklog(Base):
    """An alert whose TAXII objects are owed: written with its revision, in the same
    transaction, and deleted by the short transaction that writes the objects after the
    commit. A row left by a crash or a failure is written by the node's periodic job."""

    __tablename__ = "taxii_alert_backlog"

    alert_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("alerts.id", ondelete="CASCADE"), primary_key=True
    )
    since: Mapped[datetime]
