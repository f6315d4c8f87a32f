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
from tocsin.intel.hooks import Prepared, prepare
from tocsin.publication.revision import after_draft, after_revision
from tocsin.sharing.rules import Network


def _followed(
    revised: alerts.Revised, session: Session, network: Network, now: datetime,
    prepared: Prepared,
) -> Alert:  # fmt: skip
    if revised.revision is None:
        after_draft(session=session, alert=revised.alert, now=now, prepared=prepared)
    else:
        after_revision(session=session, alert=revised.alert, revision=revised.revision,
                       network=network, now=now, prepared=prepared)  # fmt: skip
    return revised.alert


def _prepared_before_writing(
    session: Session, alert_id: uuid.UUID, org_id: uuid.UUID, more: list[IndicatorIn] | None
) -> Prepared:
    """Intel's pure work on the indicators of `more` the alert does not have yet (only
    those are inserted, indexed and flagged), done while the transaction has written
    nothing yet."""
    if not more:
        return Prepared()
    alert = session.get(Alert, alert_id)
    present = set()
    if alert is not None and alert.source_org_id == org_id:  # else the lifecycle says 404
        present = {(i.type.value, i.value) for i in alert.indicators}
    return prepare((i.type, i.value) for i in more if (i.type.value, i.value) not in present)


def create_draft(
    *, session: Session, content: AlertContent, source_org_id: uuid.UUID, by: Actor,
    network: Network, now: datetime,
) -> Alert:  # fmt: skip
    """Store a new draft, visible to its source organisation only."""
    prepared = prepare((i.type, i.value) for i in content.indicators)
    alert = alerts.create_draft(session=session, content=content, source_org_id=source_org_id,
                                by=by, network=network, now=now)  # fmt: skip
    after_draft(session=session, alert=alert, now=now, prepared=prepared)
    return alert


def update(
    *, session: Session, alert_id: uuid.UUID, patch: AlertPatch, org_id: uuid.UUID, by: Actor,
    network: Network, now: datetime,
) -> Alert:  # fmt: skip
    """Change a draft, or publish an update of a live alert to its recipients."""
    prepared = _prepared_before_writing(session, alert_id, org_id, patch.indicators)
    revised = alerts.update(session=session, alert_id=alert_id, patch=patch, org_id=org_id,
                            by=by, network=network, now=now)  # fmt: skip
    return _followed(revised, session, network, now, prepared)


def publish(
    *, session: Session, alert_id: uuid.UUID, org_id: uuid.UUID, by: Actor, network: Network,
    now: datetime, note: str | None = None,
) -> Alert:  # fmt: skip
    """Publish a draft: revision 1, its audience, responses and deliveries."""
    revised = alerts.publish(session=session, alert_id=alert_id, org_id=org_id, by=by,
                             network=network, now=now, note=note)  # fmt: skip
    # The draft's indicators were indexed and flagged when they were written: nothing new.
    return _followed(revised, session, network, now, Prepared())


def _draft_published(
    *, session: Session, content: AlertContent, source_org_id: uuid.UUID, by: Actor,
    network: Network, now: datetime, note: str | None, prepared: Prepared,
) -> Alert:  # fmt: skip
    draft = alerts.create_draft(session=session, content=content, source_org_id=source_org_id,
                                by=by, network=network, now=now)  # fmt: skip
    after_draft(session=session, alert=draft, now=now, prepared=prepared)
    revised = alerts.publish(session=session, alert_id=draft.id, org_id=source_org_id, by=by,
                             network=network, now=now, note=note)  # fmt: skip
    return _followed(revised, session, network, now, prepared)


def close(
    *, session: Session, alert_id: uuid.UUID, org_id: uuid.UUID, by: Actor, network: Network,
    now: datetime, note: str | None = None,
) -> Alert:  # fmt: skip
    """Close a live alert and tell its recipients."""
    revised = alerts.close(session=session, alert_id=alert_id, org_id=org_id, by=by,
                           network=network, now=now, note=note)  # fmt: skip
    return _followed(revised, session, network, now, Prepared())  # no new content


def retract(
    *, session: Session, alert_id: uuid.UUID, org_id: uuid.UUID, by: Actor, network: Network,
    now: datetime, reason: str,
) -> Alert:  # fmt: skip
    """Withdraw a wrong alert and tell everyone who got it why."""
    revised = alerts.retract(session=session, alert_id=alert_id, org_id=org_id, by=by,
                             network=network, now=now, reason=reason)  # fmt: skip
    return _followed(revised, session, network, now, Prepared())  # no new content


def create_and_publish(
    *, session: Session, content: AlertContent, source_org_id: uuid.UUID, by: Actor,
    network: Network, now: datetime, note: str | None = None,
) -> Alert:  # fmt: skip
    """A draft published at once (a relay's qualification, the composer's Publish); its
    indicators are matched once, before the first write."""
    prepared = prepare((i.type, i.value) for i in content.indicators)
    return _draft_published(session=session, content=content, source_org_id=source_org_id, by=by,
                            network=network, now=now, note=note, prepared=prepared)  # fmt: skip
