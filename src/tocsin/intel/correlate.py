"""Correlation: which other alerts share indicators with an alert, looked up in indexes.

Three ways to match, each one indexed lookup per indicator of the alert:
- exact: the same normalised value (`ix_alert_indicators_value`);
- parent_domain: the same registered domain (`indicator_keys.domain`);
- cidr: an address or network inside a network indicator (`indicator_keys.ip_start`, and
  the stored networks' ranges for the reverse direction).
Withdrawn indicators, drafts, retracted alerts and warninglisted values not yet confirmed
by an analyst never correlate (8.8.8.8 would link every alert to every other one).
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from tocsin.alerts.models import Alert, AlertIndicator
from tocsin.alerts.vocab import Status
from tocsin.intel.conditions import is_excluded
from tocsin.intel.keys import index_key, prefixes_containing
from tocsin.intel.models import IndicatorFlag, IndicatorKey

CORRELATING = (Status.published, Status.updated, Status.closed)
# A registered domain carried by more indicators than this is a shared platform, not a lead.
COMMON_PARENT = 200


class How(enum.StrEnum):
    exact = "exact"
    parent_domain = "parent_domain"
    cidr = "cidr"


@dataclass(frozen=True)
class Match:
    indicator_id: uuid.UUID  # of the alert asked about
    other_indicator_id: uuid.UUID
    other_alert_id: uuid.UUID
    how: How
    since: datetime  # when the later of the two indicators appeared


def store_keys(*, session: Session, indicators: Iterable[AlertIndicator]) -> None:
    """Write the derived keys of indicators that lack them (idempotent)."""
    rows = [i for i in indicators if i.id is not None]
    known = (
        set(
            session.scalars(
                select(IndicatorKey.indicator_id).where(
                    IndicatorKey.indicator_id.in_([r.id for r in rows])
                )
            )
        )
        if rows
        else set()
    )
    for row in rows:
        if row.id in known:
            continue
        key = index_key(row.type, row.value)
        if not key.empty:
            session.add(
                IndicatorKey(
                    indicator_id=row.id,
                    domain=key.domain,
                    ip_start=key.ip_start,
                    ip_end=key.ip_end,
                    prefix=key.prefix,
                )
            )


@dataclass(frozen=True)
class _Mine:
    id: uuid.UUID
    value: str
    domain: str | None
    ip_start: str | None
    ip_end: str | None
    prefix: int | None


_CHUNK = 500
# Probes of the network index per query: fewer, larger queries cost PostgreSQL fewer round
# trips; 5,000 stays far below SQLite's limit of 32,766 parameters.
_PROBES = 5000
_UNKNOWN = datetime.min


def _held_back(session: Session, alert_id: uuid.UUID) -> set[uuid.UUID]:
    """The alert's indicators on a warninglist and not confirmed: they do not correlate."""
    return set(
        session.scalars(
            select(IndicatorFlag.indicator_id)
            .join(AlertIndicator, AlertIndicator.id == IndicatorFlag.indicator_id)
            .where(AlertIndicator.alert_id == alert_id, IndicatorFlag.confirmed_at.is_(None))
        )
    )


def _my_keys(session: Session, alert_id: uuid.UUID, held: set[uuid.UUID]) -> list[_Mine]:
    """The alert's current indicators that have index keys, minus those held back."""
    rows = session.execute(
        select(
            AlertIndicator.id,
            AlertIndicator.value,
            IndicatorKey.domain,
            IndicatorKey.ip_start,
            IndicatorKey.ip_end,
            IndicatorKey.prefix,
        )
        .join(IndicatorKey, IndicatorKey.indicator_id == AlertIndicator.id)
        .where(AlertIndicator.alert_id == alert_id, AlertIndicator.withdrawn_at.is_(None))
    ).all()
    return [_Mine(*r) for r in rows if r[0] not in held]


def _others(
    session: Session, alert_id: uuid.UUID, condition: ColumnElement[bool], *, by_key: bool
) -> Any:
    """Other alerts' current indicators (with their keys) meeting the condition; `by_key`
    when the condition is on the keys, so the lookup starts from their index."""
    columns = (
        IndicatorKey.domain,
        IndicatorKey.ip_start,
        IndicatorKey.ip_end,
        IndicatorKey.prefix,
        AlertIndicator.id,
        AlertIndicator.alert_id,
        AlertIndicator.type,
        AlertIndicator.value,
    )
    if by_key:
        query = (
            select(*columns)
            .select_from(IndicatorKey)
            .join(AlertIndicator, AlertIndicator.id == IndicatorKey.indicator_id)
        )
    else:
        query = (
            select(*columns)
            .select_from(AlertIndicator)
            .outerjoin(IndicatorKey, IndicatorKey.indicator_id == AlertIndicator.id)
        )
    return session.execute(
        query.where(condition).where(
            AlertIndicator.alert_id != alert_id, AlertIndicator.withdrawn_at.is_(None)
        )
    ).all()


def _match(mine: _Mine, row: Any, how: How) -> Match:
    return Match(mine.id, row.id, row.alert_id, how, _UNKNOWN)  # `since` is filled at the end


def _exact(session: Session, alert_id: uuid.UUID, held: set[uuid.UUID]) -> list[Match]:
    """Equal values: one self-join on the value index, done inside the database."""
    other = aliased(AlertIndicator)
    rows = session.execute(
        select(AlertIndicator.id.label("mine_id"), other.id, other.alert_id)
        .join(other, other.value == AlertIndicator.value)
        .where(AlertIndicator.alert_id == alert_id, AlertIndicator.withdrawn_at.is_(None))
        .where(other.type == AlertIndicator.type, other.alert_id != alert_id)
        .where(other.withdrawn_at.is_(None))
    ).all()
    return [
        Match(r.mine_id, r.id, r.alert_id, How.exact, _UNKNOWN)
        for r in rows
        if r.mine_id not in held
    ]


def _parent_domain(session: Session, alert_id: uuid.UUID, held: set[uuid.UUID]) -> list[Match]:
    """Same registered domain, other value: one self-join on the domain key, done inside the
    database. Parents shared by too many indicators are skipped (a hosting or dynamic-DNS
    domain links everything to everything and means nothing)."""
    my_key, other_key, other = aliased(IndicatorKey), aliased(IndicatorKey), aliased(AlertIndicator)
    my_domains = (
        select(my_key.domain)
        .join(AlertIndicator, AlertIndicator.id == my_key.indicator_id)
        .where(AlertIndicator.alert_id == alert_id, my_key.domain.is_not(None))
    )
    common = list(session.scalars(
        select(IndicatorKey.domain).where(IndicatorKey.domain.in_(my_domains))
        .group_by(IndicatorKey.domain).having(func.count() > COMMON_PARENT)
    ))  # fmt: skip
    query = (
        select(AlertIndicator.id.label("mine_id"), other.id, other.alert_id)
        .join(my_key, my_key.indicator_id == AlertIndicator.id)
        .join(other_key, other_key.domain == my_key.domain)
        .join(other, other.id == other_key.indicator_id)
        .where(AlertIndicator.alert_id == alert_id, AlertIndicator.withdrawn_at.is_(None))
        .where(other.alert_id != alert_id, other.withdrawn_at.is_(None))
        .where(other.value != AlertIndicator.value)
    )
    if common:
        query = query.where(my_key.domain.not_in(common))
    return [
        Match(r.mine_id, r.id, r.alert_id, How.parent_domain, _UNKNOWN)
        for r in session.execute(query)
        if r.mine_id not in held
    ]


def _inside_my_networks(session: Session, alert_id: uuid.UUID, mine: list[_Mine]) -> list[Match]:
    """Stored addresses and networks inside one of the alert's networks (index range scans)."""
    networks = [m for m in mine if m.ip_start is not None and m.ip_end is not None]
    found = []
    for offset in range(0, len(networks), 50):
        chunk = networks[offset : offset + 50]
        ranges = or_(*(IndicatorKey.ip_start.between(m.ip_start, m.ip_end) for m in chunk))
        for row in _others(session, alert_id, ranges, by_key=True):
            for m in chunk:
                assert m.ip_start is not None and m.ip_end is not None
                within = m.ip_start <= row.ip_start <= m.ip_end
                if within and (row.ip_end or row.ip_start) <= m.ip_end and row.value != m.value:
                    found.append(_match(m, row, How.cidr))
    return found


def _inside_stored_networks(
    session: Session, alert_id: uuid.UUID, mine: list[_Mine]
) -> list[Match]:
    """The alert's addresses and networks inside a stored network.

    Networks of a given prefix length start at the address masked to that length, so each
    address costs one indexed probe per prefix length in use (a handful), never a scan.
    """
    query = select(IndicatorKey.prefix).where(IndicatorKey.prefix.is_not(None)).distinct()
    lengths = {n for n in session.scalars(query) if n is not None}
    wanted: dict[tuple[int, str], list[_Mine]] = {}
    for m in mine:
        if m.ip_start is not None and lengths:
            wider = {n for n in lengths if n < (m.prefix or 129)}
            for key in prefixes_containing(m.ip_start, wider):
                wanted.setdefault(key, []).append(m)
    starts = sorted({start for _, start in wanted})
    found = []
    for offset in range(0, len(starts), _PROBES):
        chunk = starts[offset : offset + _PROBES]
        condition = and_(IndicatorKey.ip_start.in_(chunk), IndicatorKey.prefix.is_not(None))
        for row in _others(session, alert_id, condition, by_key=True):
            for m in wanted.get((row.prefix, row.ip_start), ()):
                found.append(_match(m, row, How.cidr))
    return found


def _kept(session: Session, matches: list[Match]) -> list[Match]:
    """Drop matches with drafts, retracted alerts and warninglisted values not confirmed."""
    alert_ids = sorted({m.other_alert_id for m in matches})
    live: set[uuid.UUID] = set()
    for offset in range(0, len(alert_ids), _CHUNK):
        query = select(Alert.id).where(
            Alert.id.in_(alert_ids[offset : offset + _CHUNK]), Alert.status.in_(CORRELATING)
        )
        live.update(session.scalars(query))
    held = is_excluded(session=session, indicator_ids={m.other_indicator_id for m in matches})
    kept = [m for m in matches if m.other_alert_id in live and m.other_indicator_id not in held]
    return _dated(session, kept)


def _dated(session: Session, matches: list[Match]) -> list[Match]:
    """Set `since`: when the later of the two indicators appeared (read for matches only)."""
    ids = sorted({i for m in matches for i in (m.indicator_id, m.other_indicator_id)})
    created: dict[uuid.UUID, datetime] = {}
    for offset in range(0, len(ids), _CHUNK):
        query = select(AlertIndicator.id, AlertIndicator.created_at).where(
            AlertIndicator.id.in_(ids[offset : offset + _CHUNK])
        )
        created.update((i, at) for i, at in session.execute(query))
    return [
        Match(
            m.indicator_id,
            m.other_indicator_id,
            m.other_alert_id,
            m.how,
            max(created[m.indicator_id], created[m.other_indicator_id]),
        )
        for m in matches
    ]


def correlations(*, session: Session, alert_id: uuid.UUID) -> list[Match]:
    """Every match between the alert's indicators and those of other (non-draft) alerts."""
    held = _held_back(session, alert_id)
    mine = _my_keys(session, alert_id, held)
    found = [
        *_exact(session, alert_id, held),
        *_parent_domain(session, alert_id, held),
        *_inside_my_networks(session, alert_id, mine),
        *_inside_stored_networks(session, alert_id, mine),
    ]
    return _kept(session, found) if found else []


def by_alert(matches: Iterable[Match]) -> dict[uuid.UUID, list[Match]]:
    """Matches grouped by the other alert, in the order first met."""
    grouped: dict[uuid.UUID, list[Match]] = {}
    for match in matches:
        grouped.setdefault(match.other_alert_id, []).append(match)
    return grouped
