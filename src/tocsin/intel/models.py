"""Tables of shared knowledge: index keys, warninglist flags, confidence, sightings, campaigns.

No table holds pairs of correlated alerts: correlations are looked up in indexes on demand.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, SmallInteger, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from tocsin.db import Base

_INDICATOR_FK = "alert_indicators.id"


def _partial(name: str, *columns: str, where: str) -> Index:
    """An index of the rows where a key applies: the others would only weigh on it."""
    return Index(name, *columns, sqlite_where=text(where), postgresql_where=text(where))


class IndicatorKey(Base):
    """Derived lookup keys of one indicator (see `intel.keys`), for those that have any.

    A row has a domain key or an address key, never both: each index covers only the rows
    its key applies to.
    """

    __tablename__ = "indicator_keys"
    __table_args__ = (
        _partial("ix_indicator_keys_domain", "domain", where="domain IS NOT NULL"),
        _partial("ix_indicator_keys_ip_start", "ip_start", where="ip_start IS NOT NULL"),
        # Networks only, by prefix length then first address: for an address and a length,
        # the one candidate network is the last one starting at or before the address. The
        # end and the indicator ride along, so the networks are read from the index alone.
        _partial(
            "ix_indicator_keys_network",
            "prefix",
            "ip_start",
            "ip_end",
            "indicator_id",
            where="prefix IS NOT NULL",
        ),
    )

    indicator_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey(_INDICATOR_FK, ondelete="CASCADE"), primary_key=True
    )
    domain: Mapped[str | None] = mapped_column(String(255))
    ip_start: Mapped[bytes | None] = mapped_column(LargeBinary(16))
    ip_end: Mapped[bytes | None] = mapped_column(LargeBinary(16))
    # Prefix length in the IPv6 space, networks only: an address is checked against the
    # few lengths in use (one indexed probe each) instead of every stored network.
    prefix: Mapped[int | None] = mapped_column(SmallInteger)


class IndicatorFlag(Base):
    """An indicator matching well-known benign values: kept, excluded until confirmed."""

    __tablename__ = "indicator_flags"

    indicator_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey(_INDICATOR_FK, ondelete="CASCADE"), primary_key=True
    )
    lists: Mapped[str] = mapped_column(Text)  # warninglist names, "; "-separated
    flagged_at: Mapped[datetime]
    confirmed_at: Mapped[datetime | None]
    confirmed_by_org: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisations.id"))


class IndicatorConfidence(Base):
    """How much the network trusts an indicator (0-100); absent means full confidence."""

    __tablename__ = "indicator_confidence"

    indicator_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey(_INDICATOR_FK, ondelete="CASCADE"), primary_key=True
    )
    confidence: Mapped[int]
    updated_at: Mapped[datetime]


class Sighting(Base):
    """One organisation saw an indicator `count` times between two dates."""

    __tablename__ = "sightings"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    indicator_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey(_INDICATOR_FK, ondelete="CASCADE"), index=True
    )
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    count: Mapped[int]
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]
    anonymous: Mapped[bool] = mapped_column(default=False)
    source: Mapped[str] = mapped_column(String(16))
    false_positive: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]


class Campaign(Base):
    """Alerts that belong together (shared indicators, or an analyst's judgement)."""

    __tablename__ = "campaigns"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    name: Mapped[str | None] = mapped_column(String(200))
    suggested: Mapped[bool] = mapped_column(default=True)  # false once an analyst acted
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    merged_into: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("campaigns.id"))


class CampaignAlert(Base):
    """An alert belongs to at most one campaign."""

    __tablename__ = "campaign_alerts"

    alert_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("alerts.id", ondelete="CASCADE"), primary_key=True
    )
    campaign_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    added_at: Mapped[datetime]
    added_by: Mapped[str] = mapped_column(String(16))  # "correlation" or "analyst"
