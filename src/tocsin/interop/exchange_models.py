"""Tables of the STIX/MISP exchange: what an import kept that tocsin has no field for, and
how far each MISP feed was read."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tocsin.db import Base


class AlertAttachment(Base):
    """An imported object kept as is, so an import never drops what it does not understand.

    `kind` says what it is: `origin` (the report or event the draft came from, whose id the
    export reuses), `stix-object` (a STIX object with no tocsin field), `misp-attribute`,
    `misp-object`, `misp-sighting`.
    """

    __tablename__ = "alert_attachments"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    alert_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("alerts.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(String(32))
    stix_id: Mapped[str | None] = mapped_column(String(300))
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime]


class FeedImport(Base):
    """One MISP feed event read by one organisation: the feed's progress marker.

    `outcome` is `imported` (`detail` lists the attributes left out, if any) or `refused`
    (`detail` says why; the event is read again only when the feed shows a newer version).
    """

    __tablename__ = "feed_imports"
    __table_args__ = (UniqueConstraint("org_id", "feed", "event_uuid"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    feed: Mapped[str] = mapped_column(String(2000))
    event_uuid: Mapped[str] = mapped_column(String(64))
    event_timestamp: Mapped[int] = mapped_column(BigInteger)
    alert_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("alerts.id", ondelete="SET NULL"))
    imported_at: Mapped[datetime]
    outcome: Mapped[str] = mapped_column(String(16), default="imported", server_default="imported")
    detail: Mapped[str | None] = mapped_column(Text)


class TaxiiPull(Base):
    """How far one organisation has read one remote TAXII 2.1 collection.

    `added_last` is the remote server's `X-TAXII-Date-Added-Last` of the last page read: the
    next pull asks only for what was added after it, so a re-run imports nothing new.
    """

    __tablename__ = "taxii_pulls"
    __table_args__ = (UniqueConstraint("org_id", "api_root", "collection_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    api_root: Mapped[str] = mapped_column(String(2000))
    collection_id: Mapped[str] = mapped_column(String(200))
    added_last: Mapped[str | None] = mapped_column(String(40))
    pulled_at: Mapped[datetime]
    detail: Mapped[str | None] = mapped_column(Text)
