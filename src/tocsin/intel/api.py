"""Routes of shared knowledge: related alerts, sightings, warninglist confirmations, the
sweep set and campaigns."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Query, status

from tocsin.alerts.reads import get_visible
from tocsin.deps import NowDep, SessionDep
from tocsin.intel import campaigns, present, service
from tocsin.intel.schemas import (
    CampaignBody,
    CampaignMerge,
    CampaignName,
    CampaignOut,
    CampaignSplit,
    FlagOut,
    RelatedOut,
    SightingBody,
    SightingOut,
    SightingsOut,
    SweepIndicator,
)
from tocsin.network.auth import NetworkDep, PrincipalDep
from tocsin.network.models import Scope
from tocsin.pagination import decode_cursor, encode_cursor
from tocsin.schemas_common import PROBLEM_RESPONSES, Page

router = APIRouter(prefix="/api/v1", tags=["intel"], responses=PROBLEM_RESPONSES)


@router.get("/alerts/{alert_id}/related", response_model=RelatedOut)
def related_alerts(
    alert_id: uuid.UUID, principal: PrincipalDep, session: SessionDep, network: NetworkDep
) -> RelatedOut:
    """Other alerts you may read that share indicators with this one: which, how, since when."""
    principal.require_scope(Scope.read)
    alert, related = service.related(
        session=session, alert_id=alert_id, viewer_id=principal.org_id, network=network
    )
    return present.related_out(session, alert, related, principal.org_id, network)


@router.post("/sightings", response_model=SightingOut, status_code=status.HTTP_201_CREATED)
def post_sighting(
    body: SightingBody,
    principal: PrincipalDep,
    session: SessionDep,
    network: NetworkDep,
    now: NowDep,
) -> SightingOut:
    """Report that your organisation saw an indicator (from `tocsin sweep --report` or by hand)."""
    # A sighting speaks for the organisation: a viewer's token, even write-scoped, may not.
    principal.require_writer()
    row = service.record_sighting(
        session=session,
        sighting=service.SightingIn(**body.model_dump()),
        principal=principal,
        network=network,
        now=now,
    )
    return SightingOut.model_validate(row, from_attributes=True)


def _sightings(session: SessionDep, ids: list[uuid.UUID]) -> list[SightingsOut]:
    flags = service.flags_of(session=session, indicator_ids=ids)
    return [
        present.sightings_out(session, s, flags.get(s.indicator_id))
        for s in service.summaries(session=session, indicator_ids=ids)
    ]


@router.get("/indicators/{indicator_id}/sightings", response_model=SightingsOut)
def indicator_sightings(
    indicator_id: uuid.UUID, principal: PrincipalDep, session: SessionDep, network: NetworkDep
) -> SightingsOut:
    """How many organisations saw this indicator, first and last seen across the network."""
    principal.require_scope(Scope.read)
    service.visible_indicator(
        session=session, indicator_id=indicator_id, viewer_id=principal.org_id, network=network
    )
    return _sightings(session, [indicator_id])[0]


@router.get("/alerts/{alert_id}/sightings", response_model=list[SightingsOut])
def alert_sightings(
    alert_id: uuid.UUID, principal: PrincipalDep, session: SessionDep, network: NetworkDep
) -> list[SightingsOut]:
    """Sightings of each current indicator of an alert you may read."""
    principal.require_scope(Scope.read)
    alert = get_visible(
        session=session, alert_id=alert_id, viewer_id=principal.org_id, network=network
    )
    return _sightings(session, [i.id for i in alert.indicators if i.withdrawn_at is None])


@router.post("/indicators/{indicator_id}/confirm", response_model=FlagOut)
def confirm_indicator(
    indicator_id: uuid.UUID,
    principal: PrincipalDep,
    session: SessionDep,
    network: NetworkDep,
    now: NowDep,
) -> FlagOut:
    """Vouch for a warninglisted indicator so feeds and sweeps use it again."""
    flag = service.confirm(
        session=session, indicator_id=indicator_id, principal=principal, network=network, now=now
    )
    return FlagOut(
        indicator_id=flag.indicator_id,
        warninglists=flag.lists.split("; "),
        confirmed_at=flag.confirmed_at,
    )


@router.get("/sweep/indicators", response_model=Page[SweepIndicator])
def sweep_indicators(
    principal: PrincipalDep,
    session: SessionDep,
    network: NetworkDep,
    now: NowDep,
    alert: uuid.UUID | None = None,
    cursor: str | None = None,
    limit: int = Query(default=1000, ge=1, le=5000),
    include_excluded: bool = Query(
        default=False, description="also those a warninglist holds back, marked `excluded_by`"
    ),
) -> Page[SweepIndicator]:
    """What to look for in your logs: current, not warninglisted, of alerts you may read."""
    principal.require_scope(Scope.read)
    after = decode_cursor(cursor)[1] if cursor else None
    rows, more = service.sweep_set(
        session=session, viewer_id=principal.org_id, network=network, now=now, alert_id=alert,
        after=after, limit=limit, include_excluded=include_excluded,
    )  # fmt: skip
    held = service.held_back(session=session, indicator_ids=[r.id for r in rows])
    items = [
        SweepIndicator.model_validate(r, from_attributes=True).model_copy(
            update={"excluded_by": held.get(r.id, [])}
        )
        for r in rows
    ]
    return Page(items=items, next=encode_cursor("i", more) if more else None)


@router.get("/campaigns", response_model=list[CampaignOut])
def list_campaigns(
    principal: PrincipalDep,
    session: SessionDep,
    network: NetworkDep,
    limit: int = Query(default=50, ge=1, le=200),
) -> list[CampaignOut]:
    """Campaigns with at least one alert you may read."""
    principal.require_scope(Scope.read)
    found = campaigns.list_visible(
        session=session, viewer_id=principal.org_id, network=network, limit=limit
    )
    return [present.campaign_out(session, c, a, principal.org_id, network) for c, a in found]


def _campaign_out(
    session: SessionDep, campaign_id: uuid.UUID, principal: PrincipalDep, network: NetworkDep
) -> CampaignOut:
    campaign, alerts = campaigns.visible_alerts(
        session=session, campaign_id=campaign_id, viewer_id=principal.org_id, network=network
    )
    return present.campaign_out(session, campaign, alerts, principal.org_id, network)


@router.get("/campaigns/{campaign_id}", response_model=CampaignOut)
def get_campaign(
    campaign_id: uuid.UUID, principal: PrincipalDep, session: SessionDep, network: NetworkDep
) -> CampaignOut:
    """Its alerts, affected organisations (as you may know them), timeline and indicators."""
    principal.require_scope(Scope.read)
    return _campaign_out(session, campaign_id, principal, network)


@router.post("/campaigns", response_model=CampaignOut, status_code=status.HTTP_201_CREATED)
def create_campaign(
    body: CampaignBody,
    principal: PrincipalDep,
    session: SessionDep,
    network: NetworkDep,
    now: NowDep,
) -> CampaignOut:
    """An analyst groups alerts of its perimeter into a named campaign."""
    campaign = campaigns.create(
        session=session,
        name=body.name,
        alert_ids=body.alert_ids,
        principal=principal,
        network=network,
        now=now,
    )
    return _campaign_out(session, campaign.id, principal, network)


@router.patch("/campaigns/{campaign_id}", response_model=CampaignOut)
def rename_campaign(
    campaign_id: uuid.UUID,
    body: CampaignName,
    principal: PrincipalDep,
    session: SessionDep,
    network: NetworkDep,
    now: NowDep,
) -> CampaignOut:
    campaigns.rename(
        session=session,
        campaign_id=campaign_id,
        name=body.name,
        principal=principal,
        network=network,
        now=now,
    )
    return _campaign_out(session, campaign_id, principal, network)


@router.post("/campaigns/{campaign_id}/merge", response_model=CampaignOut)
def merge_campaigns(
    campaign_id: uuid.UUID,
    body: CampaignMerge,
    principal: PrincipalDep,
    session: SessionDep,
    network: NetworkDep,
    now: NowDep,
) -> CampaignOut:
    """Fold another campaign into this one; refused if you do not cover all their alerts."""
    campaigns.merge(
        session=session,
        campaign_id=campaign_id,
        other_id=body.other_id,
        principal=principal,
        network=network,
        now=now,
    )
    return _campaign_out(session, campaign_id, principal, network)


@router.post(
    "/campaigns/{campaign_id}/split",
    response_model=CampaignOut,
    status_code=status.HTTP_201_CREATED,
)
def split_campaign(
    campaign_id: uuid.UUID,
    body: CampaignSplit,
    principal: PrincipalDep,
    session: SessionDep,
    network: NetworkDep,
    now: NowDep,
) -> CampaignOut:
    """Move some alerts of this campaign into a new one; returns the new campaign."""
    new = campaigns.split(
        session=session,
        campaign_id=campaign_id,
        alert_ids=body.alert_ids,
        name=body.name,
        principal=principal,
        network=network,
        now=now,
    )
    return _campaign_out(session, new.id, principal, network)
