"""Reads and writes of shared knowledge: related alerts, sightings, confirmations, sweep set."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tocsin.alerts.models import Alert, AlertIndicator
from tocsin.alerts.projection import facts
from tocsin.alerts.reads import get_visible, visible_alerts
from tocsin.alerts.vocab import Status
from tocsin.audit.service import record as audit
from tocsin.errors import InvalidInput, NotFound
from tocsin.intel.conditions import currently_valid, not_excluded
from tocsin.intel.correlate import Match, by_alert, correlations
from tocsin.intel.models import IndicatorConfidence, IndicatorFlag, Sighting
from tocsin.network.principal import Principal
from tocsin.sharing.rules import Network, can_see

FALSE_POSITIVE_PENALTY = 25  # each organisation reporting a false positive takes this off


def related(
    *, session: Session, alert_id: uuid.UUID, viewer_id: uuid.UUID, network: Network
) -> tuple[Alert, list[tuple[Alert, list[Match]]]]:
    """The alert and the other alerts the viewer may read that share indicators with it."""
    alert = get_visible(session=session, alert_id=alert_id, viewer_id=viewer_id, network=network)
    grouped = by_alert(correlations(session=session, alert_id=alert.id))
    others: list[Alert] = (
        list(session.scalars(select(Alert).where(Alert.id.in_(grouped)))) if grouped else []
    )
    seen = [o for o in others if can_see(viewer_id, facts(o), network)]
    seen.sort(key=lambda o: min(m.since for m in grouped[o.id]))
    return alert, [(o, grouped[o.id]) for o in seen]


def visible_indicator(
    *, session: Session, indicator_id: uuid.UUID, viewer_id: uuid.UUID, network: Network
) -> tuple[AlertIndicator, Alert]:
    """An indicator of an alert the viewer may read; otherwise NotFound."""
    row = session.get(AlertIndicator, indicator_id)
    if row is None:
        raise NotFound("no such indicator")
    try:
        alert = get_visible(
            session=session, alert_id=row.alert_id, viewer_id=viewer_id, network=network
        )
    except NotFound:
        raise NotFound("no such indicator") from None
    return row, alert


@dataclass(frozen=True)
class SightingIn:
    indicator_id: uuid.UUID
    count: int
    first_seen: datetime
    last_seen: datetime
    anonymous: bool
    source: str
    false_positive: bool


def record_sighting(
    *,
    session: Session,
    sighting: SightingIn,
    principal: Principal,
    network: Network,
    now: datetime,
) -> Sighting:
    """Store a sighting from the caller's organisation; a false positive lowers confidence."""
    if sighting.last_seen > now:
        raise InvalidInput.one("last_seen", "must not be in the future")
    if sighting.first_seen > sighting.last_seen:
        raise InvalidInput.one("first_seen", "must not be after last_seen")
    indicator, alert = visible_indicator(
        session=session,
        indicator_id=sighting.indicator_id,
        viewer_id=principal.org_id,
        network=network,
    )
    if alert.exercise:
        raise InvalidInput.one("indicator_id", "an exercise's indicators take no sightings")
    row = Sighting(
        indicator_id=indicator.id,
        org_id=principal.org_id,
        user_id=principal.user_id,
        count=sighting.count,
        first_seen=sighting.first_seen,
        last_seen=sighting.last_seen,
        anonymous=sighting.anonymous,
        source=sighting.source,
        false_positive=sighting.false_positive,
        created_at=now,
    )
    session.add(row)
    session.flush()
    if sighting.false_positive:
        _lower_confidence(session, indicator.id, now)
    audit(
        session=session,
        actor=principal.actor,
        action="intel.sighting",
        target_type="indicator",
        target_id=indicator.id,
        at=now,
        concerns=[alert.source_org_id],
        details={
            "count": sighting.count,
            "false_positive": sighting.false_positive,
            "anonymous": sighting.anonymous,
        },  # the trail hides an anonymous sighter
    )
    return row


def _lower_confidence(session: Session, indicator_id: uuid.UUID, now: datetime) -> None:
    reporters = (
        session.scalar(
            select(func.count(func.distinct(Sighting.org_id))).where(
                Sighting.indicator_id == indicator_id, Sighting.false_positive.is_(True)
            )
        )
        or 0
    )
    value = max(0, 100 - FALSE_POSITIVE_PENALTY * reporters)
    row = session.get(IndicatorConfidence, indicator_id)
    if row is None:
        session.add(
            IndicatorConfidence(indicator_id=indicator_id, confidence=value, updated_at=now)
        )
    else:
        row.confidence, row.updated_at = value, now


@dataclass(frozen=True)
class SightingSummary:
    indicator_id: uuid.UUID
    organisations: int
    sightings: int
    total_count: int
    first_seen: datetime | None
    last_seen: datetime | None
    false_positives: int
    confidence: int
    named_orgs: list[uuid.UUID]  # those who did not ask for anonymity


def summaries(*, session: Session, indicator_ids: list[uuid.UUID]) -> list[SightingSummary]:
    """Sightings aggregated per indicator across the network."""
    query = select(IndicatorConfidence.indicator_id, IndicatorConfidence.confidence).where(
        IndicatorConfidence.indicator_id.in_(indicator_ids)
    )
    confidence = {i: c for i, c in session.execute(query)}
    rows = session.scalars(select(Sighting).where(Sighting.indicator_id.in_(indicator_ids)))
    by_indicator: dict[uuid.UUID, list[Sighting]] = {i: [] for i in indicator_ids}
    for row in rows:
        by_indicator[row.indicator_id].append(row)
    return [_summary(i, by_indicator[i], confidence.get(i, 100)) for i in indicator_ids]


def _summary(indicator_id: uuid.UUID, rows: list[Sighting], confidence: int) -> SightingSummary:
    return SightingSummary(
        indicator_id=indicator_id,
        organisations=len({r.org_id for r in rows}),
        sightings=len(rows),
        total_count=sum(r.count for r in rows),
        first_seen=min((r.first_seen for r in rows), default=None),
        last_seen=max((r.last_seen for r in rows), default=None),
        false_positives=sum(1 for r in rows if r.false_positive),
        confidence=confidence,
        named_orgs=sorted({r.org_id for r in rows if not r.anonymous}),
    )


def confirm(
    *,
    session: Session,
    indicator_id: uuid.UUID,
    principal: Principal,
    network: Network,
    now: datetime,
) -> IndicatorFlag:
    """An analyst (or the alert's source) vouches for a warninglisted indicator."""
    from tocsin.intel.campaigns import require_analyst

    indicator, alert = visible_indicator(
        session=session, indicator_id=indicator_id, viewer_id=principal.org_id, network=network
    )
    if principal.org_id != alert.source_org_id:
        require_analyst(principal)
    principal.require_writer()
    flag = session.get(IndicatorFlag, indicator.id)
    if flag is None:
        raise NotFound("this indicator is on no warninglist")
    flag.confirmed_at, flag.confirmed_by_org = now, principal.org_id
    audit(
        session=session,
        actor=principal.actor,
        action="intel.confirm",
        target_type="indicator",
        target_id=indicator.id,
        at=now,
        concerns=[alert.source_org_id],
        details={"lists": flag.lists},
    )
    return flag


def flags_of(*, session: Session, indicator_ids: list[uuid.UUID]) -> dict[uuid.UUID, IndicatorFlag]:
    query = select(IndicatorFlag).where(IndicatorFlag.indicator_id.in_(indicator_ids))
    return {f.indicator_id: f for f in session.scalars(query)}


SWEEP_STATUSES = (Status.published, Status.updated, Status.closed)


def sweep_set(
    *,
    session: Session,
    viewer_id: uuid.UUID,
    network: Network,
    now: datetime,
    alert_id: uuid.UUID | None,
    after: uuid.UUID | None,
    limit: int,
    include_excluded: bool = False,
) -> tuple[list[AlertIndicator], uuid.UUID | None]:
    """Indicators to look for in the viewer's logs (valid, of readable alerts; without those
    a warninglist holds back unless asked), and the cursor to continue from (None at the end)."""
    readable = (
        visible_alerts(viewer_id)
        .where(Alert.status.in_(SWEEP_STATUSES), Alert.exercise.is_(False))
        .subquery()
    )
    query = (
        select(AlertIndicator)
        .where(AlertIndicator.alert_id.in_(select(readable.c.id)))
        .where(currently_valid(now))
        .order_by(AlertIndicator.id)
        .limit(limit)
    )
    if not include_excluded:
        query = query.where(not_excluded())
    if alert_id is not None:
        get_visible(session=session, alert_id=alert_id, viewer_id=viewer_id, network=network)
        query = query.where(AlertIndicator.alert_id == alert_id)
    if after is not None:
        query = query.where(AlertIndicator.id > after)
    rows = list(session.scalars(query))
    allowed: dict[uuid.UUID, bool] = {}
    for row in rows:
        if row.alert_id not in allowed:
            alert = session.get(Alert, row.alert_id)
            allowed[row.alert_id] = alert is not None and can_see(viewer_id, facts(alert), network)
    more = rows[-1].id if len(rows) == limit else None
    return [r for r in rows if allowed[r.alert_id]], more


def held_back(*, session: Session, indicator_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    """The warninglists holding back each of these indicators (flagged, not confirmed)."""
    found: dict[uuid.UUID, list[str]] = {}
    for start in range(0, len(indicator_ids), 500):
        rows = session.execute(
            select(IndicatorFlag.indicator_id, IndicatorFlag.lists).where(
                IndicatorFlag.indicator_id.in_(indicator_ids[start : start + 500]),
                IndicatorFlag.confirmed_at.is_(None),
            )
        )
        found.update({i: [n for n in lists.split("; ") if n] for i, lists in rows})
    return found
