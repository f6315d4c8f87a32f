"""Reading a collection as a given organisation: filters, pages, and the sharing rules."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, Select, and_, false, or_, select, true
from sqlalchemy.orm import Session

from tocsin.alerts.models import Alert
from tocsin.alerts.reads import visible_alerts
from tocsin.alerts.vocab import Status
from tocsin.errors import InvalidInput
from tocsin.interop.taxii.collections import (
    FEED_LEVELS,
    CollectionView,
    Kind,
    tlp_collection_id,
)
from tocsin.interop.taxii.models import TaxiiObject
from tocsin.interop.taxii.stamps import parse_us
from tocsin.sharing.rules import AlertFacts, Network, can_see, recipients
from tocsin.sharing.tlp import TLP

if TYPE_CHECKING:
    # The columns `find` selects (SQLAlchemy 2.1 types a Select by its columns).
    Rows = Select[int, int, str, str, uuid.UUID | None, str]


@dataclass(frozen=True)
class Filters:
    ids: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    versions: tuple[str, ...] = ("last",)
    spec_versions: tuple[str, ...] = ()
    added_after_us: int | None = None


@dataclass(frozen=True)
class Found:
    """One stored version, as much as a response needs."""

    seq: int
    added_us: int
    stix_id: str
    version: str
    alert_id: uuid.UUID | None
    body: str


@dataclass(frozen=True)
class Page:
    items: list[Found]
    more: bool
    next: str | None


def encode_next(added_us: int) -> str:
    return base64.urlsafe_b64encode(f"t{added_us}".encode()).decode().rstrip("=")


def decode_next(token: str) -> int:
    """The position a `next` token stands for; InvalidInput if it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode((token + "=" * (-len(token) % 4)).encode()).decode()
        if not raw.startswith("t"):
            raise ValueError(raw)
        return int(raw[1:])
    except ValueError as exc:  # binascii.Error and UnicodeDecodeError are ValueErrors
        raise InvalidInput.one("next", "not a value returned by this server") from exc


def facts_of(session: Session, condition: ColumnElement[bool]) -> dict[uuid.UUID, AlertFacts]:
    """Sharing facts of the alerts matching `condition`, without loading whole alerts."""
    query = select(
        Alert.id,
        Alert.source_org_id,
        Alert.tlp,
        Alert.scope_kind,
        Alert.scope_area_id,
        Alert.named,
        Alert.status,
        Alert.anonymous,
    ).where(condition)
    return {
        row.id: AlertFacts(
            source_id=row.source_org_id,
            tlp=row.tlp,
            scope=row.scope_kind,
            area_id=row.scope_area_id,
            named=frozenset(uuid.UUID(o) for o in row.named),
            draft=row.status is Status.draft,
            anonymous=row.anonymous,
        )
        for row in session.execute(query)
    }


def _received_by_tlp(
    session: Session, viewer_id: uuid.UUID, network: Network
) -> dict[TLP, list[uuid.UUID]]:
    """The alerts of each feed level the viewer's organisation received."""
    shared = Alert.tlp.in_(FEED_LEVELS) & (Alert.status != Status.draft)
    received: dict[TLP, list[uuid.UUID]] = {t: [] for t in FEED_LEVELS}
    for alert_id, facts in facts_of(session, shared).items():
        if viewer_id in recipients(facts, network):
            received[facts.tlp].append(alert_id)
    return received


def _source(
    session: Session, view: CollectionView, viewer_id: uuid.UUID, network: Network
) -> ColumnElement[bool]:
    """Which stored rows make up this collection for this viewer (before the final check)."""
    if view.kind is Kind.submissions:
        return TaxiiObject.collection_id == view.id
    if view.kind is Kind.tlp:
        assert view.tlp is not None
        # The alert's current level decides: objects stay in the collection of their level.
        visible = visible_alerts(viewer_id).with_only_columns(Alert.id)
        same_level = visible.where(Alert.tlp == view.tlp, Alert.status != Status.draft)
        return and_(TaxiiObject.collection_id == view.id, TaxiiObject.alert_id.in_(same_level))
    parts = [
        and_(TaxiiObject.collection_id == tlp_collection_id(tlp), TaxiiObject.alert_id.in_(ids))
        for tlp, ids in _received_by_tlp(session, viewer_id, network).items()
        if ids
    ]
    if not parts:
        return false()
    return and_(TaxiiObject.stix_type == "indicator", or_(*parts))


def _version_filter(tokens: Sequence[str]) -> ColumnElement[bool]:
    if not tokens or "all" in tokens:
        return true()
    parts: list[ColumnElement[bool]] = []
    stamps: list[int] = []
    for wanted in tokens:
        if wanted == "last":
            parts.append(TaxiiObject.latest.is_(True))
        elif wanted == "first":
            parts.append(TaxiiObject.earliest.is_(True))
        else:
            try:
                stamps.append(parse_us(wanted))
            except ValueError as exc:
                raise InvalidInput.one("match[version]", str(exc)) from exc
    if stamps:
        parts.append(TaxiiObject.version_us.in_(stamps))
    return or_(*parts)


def _filtered(query: Rows, filters: Filters) -> Rows:
    if filters.ids:
        query = query.where(TaxiiObject.stix_id.in_(filters.ids))
    if filters.types:
        query = query.where(TaxiiObject.stix_type.in_(filters.types))
    if filters.spec_versions:
        query = query.where(TaxiiObject.spec_version.in_(filters.spec_versions))
    if filters.added_after_us is not None:
        query = query.where(TaxiiObject.added_us > filters.added_after_us)
    return query.where(_version_filter(filters.versions))


def find(
    *,
    session: Session,
    view: CollectionView,
    viewer_id: uuid.UUID,
    network: Network,
    filters: Filters,
    limit: int,
    after_us: int | None,
    with_body: bool = True,
) -> Page:
    """One page of the collection in date_added order, strictly after the `next` position."""
    body = TaxiiObject.body if with_body else TaxiiObject.stix_type
    query = select(
        TaxiiObject.seq,
        TaxiiObject.added_us,
        TaxiiObject.stix_id,
        TaxiiObject.version,
        TaxiiObject.alert_id,
        body,
    ).where(_source(session, view, viewer_id, network))
    query = _filtered(query, filters)
    if after_us is not None:
        query = query.where(TaxiiObject.added_us > after_us)
    query = query.order_by(TaxiiObject.added_us).limit(limit + 1)
    rows = [Found(*row) for row in session.execute(query)]
    more = len(rows) > limit
    rows = rows[:limit]
    next_token = encode_next(rows[-1].added_us) if more and rows else None
    return Page(_readable(session, rows, viewer_id, network), more, next_token)


def _readable(
    session: Session, rows: list[Found], viewer_id: uuid.UUID, network: Network
) -> list[Found]:
    """The sharing rules have the last word on every row that comes from an alert."""
    alert_ids = {r.alert_id for r in rows if r.alert_id is not None}
    if not alert_ids:
        return rows
    facts = facts_of(session, Alert.id.in_(alert_ids))
    allowed = {a for a, f in facts.items() if can_see(viewer_id, f, network)}
    return [r for r in rows if r.alert_id is None or r.alert_id in allowed]
