"""Changing an alert, as every door of the hub does it: the lifecycle of `alerts.service`
followed, in the same transaction, by what each revision sets in motion.

Functions never commit: the request, task or command that calls them owns the transaction.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from tocsin.alerts import service as alerts
from tocsin.alerts.models import Alert
from tocsin.alerts.schemas import AlertContent, AlertPatch
from tocsin.audit.service import Actor
from tocsin.publication.revision import after_draft, after_revision
from tocsin.sharing.rules import Network


def _followed(revised: alerts.Revised, session: Session, network: Network, now: datetime) -> Alert:
    if revised.revision is None:
        after_draft(session=session, alert=revised.alert, now=now)
    else:
        after_revision(session=session, alert=revised.alert, revision=revised.revision,
                       network=network, now=now)  # fmt: skip
    return revised.alert


def create_draft(
    *, session: Session, content: AlertContent, source_org_id: uuid.UUID, by: Actor,
    network: Network, now: datetime,
) -> Alert:  # fmt: skip
    """Store a new draft, visible to its source organisation only."""
    alert = alerts.create_draft(session=session, content=content, source_org_id=source_org_id,
                                by=by, network=network, now=now)  # fmt: skip
    after_draft(session=session, alert=alert, now=now)
    return alert


def update(
    *, session: Session, alert_id: uuid.UUID, patch: AlertPatch, org_id: uuid.UUID, by: Actor,
    network: Network, now: datetime,
) -> Alert:  # fmt: skip
    """Change a draft, or publish an update of a live alert to its recipients."""
    revised = alerts.update(session=session, alert_id=alert_id, patch=patch, org_id=org_id,
                            by=by, network=network, now=now)  # fmt: skip
    return _followed(revised, session, network, now)


def publish(
    *, session: Session, alert_id: uuid.UUID, org_id: uuid.UUID, by: Actor, network: Network,
    now: datetime, note: str | None = None,
) -> Alert:  # fmt: skip
    """Publish a draft: revision 1, its audience, responses and deliveries."""
    revised = alerts.publish(session=session, alert_id=alert_id, org_id=org_id, by=by,
                             network=network, now=now, note=note)  # fmt: skip
    return _followed(revised, session, network, now)


def close(
    *, session: Session, alert_id: uuid.UUID, org_id: uuid.UUID, by: Actor, network: Network,
    now: datetime, note: str | None = None,
) -> Alert:  # fmt: skip
    """Close a live alert and tell its recipients."""
    revised = alerts.close(session=session, alert_id=alert_id, org_id=org_id, by=by,
                           network=network, now=now, note=note)  # fmt: skip
    return _followed(revised, session, network, now)


def retract(
    *, session: Session, alert_id: uuid.UUID, org_id: uuid.UUID, by: Actor, network: Network,
    now: datetime, reason: str,
) -> Alert:  # fmt: skip
    """Withdraw a wrong alert and tell everyone who got it why."""
    revised = alerts.retract(session=session, alert_id=alert_id, org_id=org_id, by=by,
                             network=network, now=now, reason=reason)  # fmt: skip
    return _followed(revised, session, network, now)


def create_and_publish(
    *, session: Session, content: AlertContent, source_org_id: uuid.UUID, by: Actor,
    network: Network, now: datetime, note: str | None = None,
) -> Alert:  # fmt: skip
    """A draft published at once (a relay's qualification, the composer's Publish)."""
    draft = create_draft(session=session, content=content, source_org_id=source_org_id, by=by,
                         network=network, now=now)  # fmt: skip
    return publish(session=session, alert_id=draft.id, org_id=source_org_id, by=by,
                   network=network, now=now, note=note)  # fmt: skip
