"""What the network knows around one alert, for its page: related alerts and sightings.

The same reads as the API (`GET /alerts/{id}/related`, `/sightings`): a related alert shows
only if this organisation may read it, and an anonymous source stays anonymous.
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from tocsin.alerts.models import Alert
from tocsin.intel import present, service
from tocsin.intel.schemas import RelatedAlert, SightingsOut
from tocsin.sharing.rules import Network


def related(
    session: Session, alert: Alert, viewer_id: uuid.UUID, network: Network
) -> list[RelatedAlert]:
    found_alert, found = service.related(
        session=session, alert_id=alert.id, viewer_id=viewer_id, network=network
    )
    return present.related_out(session, found_alert, found, viewer_id, network).related


def sightings(session: Session, alert: Alert) -> dict[uuid.UUID, SightingsOut]:
    """Per current indicator of the alert, what the network saw of it."""
    ids = [i.id for i in alert.indicators if i.withdrawn_at is None]
    flags = service.flags_of(session=session, indicator_ids=ids)
    return {
        s.indicator_id: present.sightings_out(session, s, flags.get(s.indicator_id))
        for s in service.summaries(session=session, indicator_ids=ids)
    }


def held_back(session: Session, alert: Alert) -> dict[uuid.UUID, list[str]]:
    """Per indicator a warninglist keeps out of sweeps and feeds, the lists' names."""
    ids = [i.id for i in alert.indicators if i.withdrawn_at is None]
    return service.held_back(session=session, indicator_ids=ids)
