"""Changing an alert, as every door of the hub does it: the lifecycle of `alerts.service`
followed, in the same transaction, by what each revision sets in motion.

Functions never commit: the request, task or command that calls them owns the transaction.
The pure work that grows with the number of indicators (warninglist matching) is done
first, before the lifecycle's first write: on SQLite that write takes the database's one
write lock until the commit, and a member's 50,000-indicator alert must not keep every
other organisation's small writes (receipts, audit) waiting on it.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from tocsin.alerts import service as alerts
from tocsin.alerts.models import Alert
from tocsin.alerts.schemas import AlertContent, AlertPatch, IndicatorIn
from tocsin.audit.service import Actor
from tocsin.intel.warninglists import Matches, matches_of
from tocsin.publication.revision import after_draft, after_revision
from tocsin.sharing.rules import Network


def _followed(
    revised: alerts.Revised, session: Session, network: Network, now: datetime, matches: Matches
) -> Alert:
    if revised.revision is None:
        after_draft(session=session, alert=revised.alert, now=now, matches=matches)
    else:
        after_revision(session=session, alert=revised.alert, revision=revised.revision,
                       network=network, now=now, matches=matches)  # fmt: skip
    return revised.alert


def _matches_before_writing(
    session: Session, alert_id: uuid.UUID, org_id: uuid.UUID, more: list[IndicatorIn] | None
) -> Matches:
    """Warninglist matches of the alert's current indicators and of `more`, read and
    computed while the transaction has written nothing yet."""
    alert = session.get(Alert, alert_id)
    current = []
    if alert is not None and alert.source_org_id == org_id:  # else the lifecycle says 404
        current = [(i.type, i.value) for i in alert.indicators if i.withdrawn_at is None]
    return matches_of(current + [(i.type, i.value) for i in more or []])


def create_draft(
    *, session: Session, content: AlertContent, source_org_id: uuid.UUID, by: Actor,
    network: Network, now: datetime,
) -> Alert:  # fmt: skip
    """Store a new draft, visible to its source organisation only."""
    matches = matches_of((i.type, i.value) for i in content.indicators)
    alert = alerts.create_draft(session=session, content=content, source_org_id=source_org_id,
                                by=by, network=network, now=now)  # fmt: skip
    after_draft(session=session, alert=alert, now=now, matches=matches)
    return alert


def update(
    *, session: Session, alert_id: uuid.UUID, patch: AlertPatch, org_id: uuid.UUID, by: Actor,
    network: Network, now: datetime,
) -> Alert:  # fmt: skip
    """Change a draft, or publish an update of a live alert to its recipients."""
    matches = _matches_before_writing(session, alert_id, org_id, patch.indicators)
    revised = alerts.update(session=session, alert_id=alert_id, patch=patch, org_id=org_id,
                            by=by, network=network, now=now)  # fmt: skip
    return _followed(revised, session, network, now, matches)


def publish(
    *, session: Session, alert_id: uuid.UUID, org_id: uuid.UUID, by: Actor, network: Network,
    now: datetime, note: str | None = None,
) -> Alert:  # fmt: skip
    """Publish a draft: revision 1, its audience, responses and deliveries."""
    matches = _matches_before_writing(session, alert_id, org_id, None)
    revised = alerts.publish(session=session, alert_id=alert_id, org_id=org_id, by=by,
                             network=network, now=now, note=note)  # fmt: skip
    return _followed(revised, session, network, now, matches)


def _draft_published(
    *, session: Session, content: AlertContent, source_org_id: uuid.UUID, by: Actor,
    network: Network, now: datetime, note: str | None, matches: Matches,
) -> Alert:  # fmt: skip
    draft = alerts.create_draft(session=session, content=content, source_org_id=source_org_id,
                                by=by, network=network, now=now)  # fmt: skip
    after_draft(session=session, alert=draft, now=now, matches=matches)
    revised = alerts.publish(session=session, alert_id=draft.id, org_id=source_org_id, by=by,
                             network=network, now=now, note=note)  # fmt: skip
    return _followed(revised, session, network, now, matches)


def close(
    *, session: Session, alert_id: uuid.UUID, org_id: uuid.UUID, by: Actor, network: Network,
    now: datetime, note: str | None = None,
) -> Alert:  # fmt: skip
    """Close a live alert and tell its recipients."""
    revised = alerts.close(session=session, alert_id=alert_id, org_id=org_id, by=by,
                           network=network, now=now, note=note)  # fmt: skip
    return _followed(revised, session, network, now, {})  # nothing to match: no new content


def retract(
    *, session: Session, alert_id: uuid.UUID, org_id: uuid.UUID, by: Actor, network: Network,
    now: datetime, reason: str,
) -> Alert:  # fmt: skip
    """Withdraw a wrong alert and tell everyone who got it why."""
    revised = alerts.retract(session=session, alert_id=alert_id, org_id=org_id, by=by,
                             network=network, now=now, reason=reason)  # fmt: skip
    return _followed(revised, session, network, now, {})  # nothing to match: no new content


def create_and_publish(
    *, session: Session, content: AlertContent, source_org_id: uuid.UUID, by: Actor,
    network: Network, now: datetime, note: str | None = None,
) -> Alert:  # fmt: skip
    """A draft published at once (a relay's qualification, the composer's Publish); its
    indicators are matched once, before the first write."""
    matches = matches_of((i.type, i.value) for i in content.indicators)
    return _draft_published(session=session, content=content, source_org_id=source_org_id, by=by,
                            network=network, now=now, note=note, matches=matches)  # fmt: skip
