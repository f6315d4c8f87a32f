"""Campaigns: alerts that belong together, suggested by correlation or set by analysts.

Analysts are relay organisations (group, region, national CERT). They may act only on
alerts inside their perimeter: a merge or split touching an alert they do not cover is
refused (403), so a region cannot reshuffle another region's incidents.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tocsin.alerts.models import Alert
from tocsin.alerts.projection import facts
from tocsin.alerts.reads import get_visible
from tocsin.audit.service import SYSTEM, Actor
from tocsin.audit.service import record as audit
from tocsin.errors import Conflict, Forbidden, InvalidInput, NotFound
from tocsin.intel.models import Campaign, CampaignAlert
from tocsin.network.principal import Principal
from tocsin.sharing.rules import RELAY_KINDS, Network, can_see


def _members(session: Session, campaign_id: uuid.UUID) -> list[uuid.UUID]:
    query = select(CampaignAlert.alert_id).where(CampaignAlert.campaign_id == campaign_id)
    return list(session.scalars(query))


def _record(
    session: Session,
    actor: Actor,
    action: str,
    campaign: Campaign,
    now: datetime,
    details: dict[str, object],
) -> None:
    audit(
        session=session,
        actor=actor,
        action=action,
        target_type="campaign",
        target_id=campaign.id,
        at=now,
        details=details,
    )


def _new(session: Session, name: str | None, suggested: bool, now: datetime) -> Campaign:
    campaign = Campaign(
        id=uuid.uuid4(), name=name, suggested=suggested, created_at=now, updated_at=now
    )
    session.add(campaign)
    session.flush()
    return campaign


def attach_correlated(
    *, session: Session, alert_id: uuid.UUID, related_ids: Sequence[uuid.UUID], now: datetime
) -> Campaign:
    """Put an alert and the alerts it correlates with in one (suggested) campaign."""
    ids = [alert_id, *related_ids]
    current = {
        row.alert_id: row.campaign_id
        for row in session.scalars(select(CampaignAlert).where(CampaignAlert.alert_id.in_(ids)))
    }
    chosen_id = current.get(alert_id)
    if chosen_id is None and current:
        chosen_id = session.scalar(
            select(Campaign.id)
            .where(Campaign.id.in_(set(current.values())))
            .order_by(Campaign.created_at, Campaign.id)
            .limit(1)
        )
    campaign = session.get(Campaign, chosen_id) if chosen_id else _new(session, None, True, now)
    assert campaign is not None
    added = [i for i in ids if i not in current]
    for member in added:
        session.add(
            CampaignAlert(
                alert_id=member, campaign_id=campaign.id, added_at=now, added_by="correlation"
            )
        )
    if added:
        campaign.updated_at = now
        _record(
            session, SYSTEM, "campaign.suggest", campaign, now, {"added": [str(a) for a in added]}
        )
    return campaign


def require_analyst(principal: Principal) -> None:
    """Only relay organisations, with write rights, shape campaigns."""
    principal.require_writer()
    if principal.org_kind not in RELAY_KINDS:
        raise Forbidden("campaigns are shaped by analysts of a group, region or national CERT")


def _covered(
    session: Session, alert_ids: Sequence[uuid.UUID], principal: Principal, network: Network
) -> list[Alert]:
    alerts = []
    for alert_id in alert_ids:
        alert = get_visible(
            session=session, alert_id=alert_id, viewer_id=principal.org_id, network=network
        )
        if not network.in_perimeter(principal.org_id, alert.source_org_id):
            raise Forbidden(f"alert {alert_id} is outside your perimeter")
        alerts.append(alert)
    return alerts


def _campaign(session: Session, campaign_id: uuid.UUID) -> Campaign:
    campaign = session.get(Campaign, campaign_id)
    if campaign is None or campaign.merged_into is not None:
        raise NotFound("no such campaign")
    return campaign


def create(
    *,
    session: Session,
    name: str,
    alert_ids: Sequence[uuid.UUID],
    principal: Principal,
    network: Network,
    now: datetime,
) -> Campaign:
    """An analyst groups alerts of its perimeter that are not in a campaign yet."""
    require_analyst(principal)
    _covered(session, alert_ids, principal, network)
    taken = session.scalars(
        select(CampaignAlert.alert_id).where(CampaignAlert.alert_id.in_(alert_ids))
    )
    if busy := sorted(str(a) for a in taken):
        raise Conflict(f"already in a campaign (merge instead): {', '.join(busy)}")
    campaign = _new(session, name, False, now)
    for alert_id in dict.fromkeys(alert_ids):
        session.add(
            CampaignAlert(
                alert_id=alert_id, campaign_id=campaign.id, added_at=now, added_by="analyst"
            )
        )
    _record(session, principal.actor, "campaign.create", campaign, now, {"name": name})
    return campaign


def rename(
    *,
    session: Session,
    campaign_id: uuid.UUID,
    name: str,
    principal: Principal,
    network: Network,
    now: datetime,
) -> Campaign:
    """Name a campaign; the analyst must cover all of its alerts."""
    require_analyst(principal)
    campaign = _campaign(session, campaign_id)
    _covered(session, _members(session, campaign.id), principal, network)
    campaign.name, campaign.suggested, campaign.updated_at = name, False, now
    _record(session, principal.actor, "campaign.rename", campaign, now, {"name": name})
    return campaign


def merge(
    *,
    session: Session,
    campaign_id: uuid.UUID,
    other_id: uuid.UUID,
    principal: Principal,
    network: Network,
    now: datetime,
) -> Campaign:
    """Move every alert of `other_id` into `campaign_id`; refused outside the perimeter."""
    require_analyst(principal)
    if campaign_id == other_id:
        raise InvalidInput.one("other_id", "a campaign cannot be merged into itself")
    campaign, other = _campaign(session, campaign_id), _campaign(session, other_id)
    moving = _members(session, other.id)
    _covered(session, [*_members(session, campaign.id), *moving], principal, network)
    for row in session.scalars(select(CampaignAlert).where(CampaignAlert.campaign_id == other.id)):
        row.campaign_id = campaign.id
    other.merged_into, other.updated_at = campaign.id, now
    campaign.suggested, campaign.updated_at = False, now
    _record(session, principal.actor, "campaign.merge", campaign, now, {"merged": str(other.id)})
    return campaign


def split(
    *,
    session: Session,
    campaign_id: uuid.UUID,
    alert_ids: Sequence[uuid.UUID],
    name: str,
    principal: Principal,
    network: Network,
    now: datetime,
) -> Campaign:
    """Move some alerts of a campaign into a new one."""
    require_analyst(principal)
    campaign = _campaign(session, campaign_id)
    members = set(_members(session, campaign.id))
    if not alert_ids or not set(alert_ids) <= members:
        raise InvalidInput.one("alert_ids", "name alerts of this campaign")
    _covered(session, alert_ids, principal, network)
    new = _new(session, name, False, now)
    for row in session.scalars(select(CampaignAlert).where(CampaignAlert.alert_id.in_(alert_ids))):
        row.campaign_id, row.added_by = new.id, "analyst"
    campaign.updated_at = now
    _record(session, principal.actor, "campaign.split", campaign, now, {"into": str(new.id)})
    return new


def visible_alerts(
    *, session: Session, campaign_id: uuid.UUID, viewer_id: uuid.UUID, network: Network
) -> tuple[Campaign, list[Alert]]:
    """The campaign and those of its alerts the viewer may read; NotFound if none."""
    campaign = _campaign(session, campaign_id)
    ids = _members(session, campaign.id)
    rows = session.scalars(select(Alert).where(Alert.id.in_(ids)).order_by(Alert.created_at))
    alerts = [a for a in rows if can_see(viewer_id, facts(a), network)]
    if not alerts:
        raise NotFound("no such campaign")
    return campaign, alerts


def list_visible(
    *, session: Session, viewer_id: uuid.UUID, network: Network, limit: int
) -> list[tuple[Campaign, list[Alert]]]:
    """Campaigns with at least one alert the viewer may read, most recently changed first."""
    query = (
        select(Campaign)
        .where(Campaign.merged_into.is_(None))
        .order_by(Campaign.updated_at.desc(), Campaign.id)
    )
    found = []
    for campaign in session.scalars(query):
        try:
            found.append(
                visible_alerts(
                    session=session, campaign_id=campaign.id, viewer_id=viewer_id, network=network
                )
            )
        except NotFound:
            continue
        if len(found) >= limit:
            break
    return found


def campaign_of(*, session: Session, alert_id: uuid.UUID) -> uuid.UUID | None:
    return session.scalar(
        select(CampaignAlert.campaign_id).where(CampaignAlert.alert_id == alert_id)
    )
