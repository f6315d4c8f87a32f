"""Shared knowledge as a given viewer may see it (anonymous sources stay hidden)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from tocsin.alerts import present as alert_present
from tocsin.alerts.models import Alert, AlertIndicator
from tocsin.alerts.projection import facts
from tocsin.intel.campaigns import campaign_of
from tocsin.intel.correlate import Match
from tocsin.intel.models import Campaign, IndicatorFlag
from tocsin.intel.schemas import (
    CampaignOut,
    IndicatorMatch,
    RelatedAlert,
    RelatedOut,
    SightingsOut,
    TimelineEvent,
)
from tocsin.intel.service import SightingSummary
from tocsin.sharing.rules import Network, reveals_source


def related_out(
    session: Session,
    alert: Alert,
    related: list[tuple[Alert, list[Match]]],
    viewer_id: uuid.UUID,
    network: Network,
) -> RelatedOut:
    ids = {m.indicator_id for _, ms in related for m in ms}
    ids |= {m.other_indicator_id for _, ms in related for m in ms}
    query = select(AlertIndicator).where(AlertIndicator.id.in_(ids))
    rows: list[AlertIndicator] = list(session.scalars(query)) if ids else []
    indicators = {r.id: alert_present.indicator_out(r) for r in rows}
    items = [
        RelatedAlert(
            alert=alert_present.alert_summary(session, other, viewer_id, network),
            matches=[
                IndicatorMatch(
                    indicator=indicators[m.indicator_id],
                    other_indicator=indicators[m.other_indicator_id],
                    how=m.how,
                    since=m.since,
                )
                for m in matches
            ],
            since=min(m.since for m in matches),
        )
        for other, matches in related
    ]
    campaign_id = campaign_of(session=session, alert_id=alert.id)
    return RelatedOut(alert_id=alert.id, campaign_id=campaign_id, related=items)


def sightings_out(
    session: Session, summary: SightingSummary, flag: IndicatorFlag | None
) -> SightingsOut:
    names = alert_present.org_names(session, set(summary.named_orgs))
    refs = [alert_present.org_ref(session, o) for o in summary.named_orgs if o in names]
    return SightingsOut(
        indicator_id=summary.indicator_id,
        organisations=summary.organisations,
        sightings=summary.sightings,
        total_count=summary.total_count,
        first_seen=summary.first_seen,
        last_seen=summary.last_seen,
        false_positives=summary.false_positives,
        confidence=summary.confidence,
        reported_by=[r for r in refs if r is not None],
        warninglists=flag.lists.split("; ") if flag else [],
        confirmed=bool(flag and flag.confirmed_at),
    )


def campaign_out(
    session: Session,
    campaign: Campaign,
    alerts: list[Alert],
    viewer_id: uuid.UUID,
    network: Network,
) -> CampaignOut:
    sources = {a.source_org_id for a in alerts if reveals_source(viewer_id, facts(a), network)}
    refs = [alert_present.org_ref(session, o) for o in sorted(sources)]
    timeline: list[TimelineEvent] = []
    for alert in alerts:
        if alert.first_seen:
            timeline.append(
                TimelineEvent(at=alert.first_seen, alert_id=alert.id, what="first_seen")
            )
        for what in ("published_at", "closed_at", "retracted_at"):
            at = getattr(alert, what)
            if at:
                timeline.append(TimelineEvent(at=at, alert_id=alert.id, what=what[:-3]))
    timeline.sort(key=lambda e: (e.at, str(e.alert_id)))
    combined: dict[tuple[str, str], AlertIndicator] = {}
    for alert in alerts:
        for row in alert.indicators:
            if row.withdrawn_at is None:
                combined.setdefault((row.type.value, row.value), row)
    return CampaignOut(
        id=campaign.id,
        name=campaign.name,
        suggested=campaign.suggested,
        created_at=campaign.created_at,
        updated_at=campaign.updated_at,
        alerts=alert_present.alert_summaries(session, list(alerts), viewer_id, network),
        organisations=[r for r in refs if r is not None],
        timeline=timeline,
        indicators=[alert_present.indicator_out(r) for r in combined.values()],
    )
