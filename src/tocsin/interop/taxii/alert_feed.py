"""Alerts into TAXII: after each revision, the alert's STIX objects go to its TLP collection.

The objects are those of the STIX export (report, indicators, malware, attack patterns,
courses of action, relationships, markings), rendered for the reader class every reader
of the alert is in (a collection is shared by many readers, each row checked on every read),
exactly as the export renders them for that class. An object that leaves
the alert is written again as revoked, and withdrawn indicators and the objects of a retracted
alert come revoked exactly as the export shows them (`stix.with_retractions`), so consumers
(firewalls, MISP, OpenCTI) drop them rather than keep blocking.

The objects are written after the revision commits, in a short transaction of their own
(`owe_alert_objects`): rendering and storing the objects of a 50,000-indicator alert takes
seconds, and on SQLite the revision's transaction holds the database's one write lock until
it commits. What is owed is recorded in the revision's own transaction (`taxii_alert_backlog`),
so a crash or a failure between the two commits delays the objects, never loses them: the
node's periodic job writes what is left (`write_owed`).
"""

from __future__ import annotations

import json
import logging
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, event, select
from sqlalchemy.orm import Session

from tocsin.alerts.models import Alert
from tocsin.alerts.vocab import Status
from tocsin.audit.service import SYSTEM, record
from tocsin.db import transaction
from tocsin.interop.stix import RETRACTED_LABEL, stix_objects_for_every_reader, with_retractions
from tocsin.interop.stix_vocab import timestamp
from tocsin.interop.taxii import store
from tocsin.interop.taxii.collections import tlp_collection_id
from tocsin.interop.taxii.models import TaxiiAlertBacklog, TaxiiObject
from tocsin.jobs import Job
from tocsin.state import AppState

log = logging.getLogger(__name__)
_OWED = "taxii_owed_alerts"  # session.info: the alerts this transaction owes objects of
# The job leaves younger rows to the writer that runs right after their commit.
_JOB_GRACE = timedelta(seconds=30)


def _content(obj: dict[str, Any]) -> dict[str, Any]:
    """An object without its version stamp: what tells a real change from a re-publication."""
    return {k: v for k, v in obj.items() if k != "modified"}


def _revoked(body: dict[str, Any], now: datetime) -> dict[str, Any] | None:
    """A new version of a stored object marking it revoked; None for objects that have no
    versions (marking definitions) or are already revoked."""
    if "modified" not in body or body.get("revoked") is True:
        return None
    labels = sorted({*body.get("labels", []), RETRACTED_LABEL})
    return {**body, "revoked": True, "labels": labels,
            "modified": max(timestamp(now), body["modified"])}  # fmt: skip


def _in_feeds(alert: Alert) -> bool:
    if alert.status is Status.draft or not alert.tlp.in_resharing_feeds:
        return False  # AMBER+STRICT and RED never reach a re-sharing feed
    return not alert.exercise  # a scenario's indicators must reach no blocking rules


def owe_alert_objects(*, session: Session, alert: Alert, now: datetime) -> None:
    """Record, in the revision's transaction, that the alert's objects are owed; they are
    written right after that transaction commits, in one of their own."""
    if not _in_feeds(alert):
        return
    if session.get(TaxiiAlertBacklog, alert.id) is None:
        session.add(TaxiiAlertBacklog(alert_id=alert.id, since=now))
    owed = session.info.setdefault(_OWED, {})
    if not owed:
        event.listen(session, "after_commit", _write_after_commit, once=True)
    owed[alert.id] = now


def _write_after_commit(committed: Session) -> None:
    owed: dict[uuid.UUID, datetime] = committed.info.pop(_OWED, {})
    info = {k: v for k, v in committed.info.items() if k != _OWED}  # e.g. the audit key
    for alert_id, now in owed.items():
        try:
            with Session(bind=committed.get_bind(), info=info, expire_on_commit=False) as own:
                write_owed_one(session=own, alert_id=alert_id, now=now)
                own.commit()
        except Exception:  # the revision is stored; the periodic job writes them later
            log.exception("TAXII objects of alert %s left to the periodic job", alert_id)


def write_owed_one(*, session: Session, alert_id: uuid.UUID, now: datetime) -> int:
    """Write the owed objects of one alert and clear the debt; how many objects."""
    if session.get(TaxiiAlertBacklog, alert_id) is None:
        return 0  # already written, or the revision rolled back
    alert = session.get(Alert, alert_id)
    # Rendered before this transaction's first write, so the lock it takes is short.
    written = publish_alert_objects(session=session, alert=alert, now=now) if alert else 0
    session.execute(delete(TaxiiAlertBacklog).where(TaxiiAlertBacklog.alert_id == alert_id))
    return written


def write_owed(state: AppState) -> int:
    """The periodic job's tick: write what a crash or a failure left owed; how many alerts."""
    now = state.clock.now()
    with transaction(state.sessions) as session:
        owed = owed_alerts(session=session, now=now)
    for alert_id in owed:
        with transaction(state.sessions) as session:
            write_owed_one(session=session, alert_id=alert_id, now=now)
    return len(owed)


def job() -> Job:
    """Writes owed TAXII objects every 10 s (see `owe_alert_objects`)."""
    return Job("taxii-owed-objects", 10, write_owed)


def owed_alerts(*, session: Session, now: datetime) -> list[uuid.UUID]:
    """Alerts whose objects are owed for longer than the writer after a commit takes."""
    query = select(TaxiiAlertBacklog.alert_id).where(TaxiiAlertBacklog.since <= now - _JOB_GRACE)
    return list(session.scalars(query.order_by(TaxiiAlertBacklog.since)))


def publish_alert_objects(*, session: Session, alert: Alert, now: datetime) -> int:
    """Write the alert's changed STIX objects to the collection of its TLP; how many."""
    if not _in_feeds(alert):
        return 0
    collection_id = tlp_collection_id(alert.tlp)
    objects = with_retractions(alert, stix_objects_for_every_reader(session=session, alert=alert))
    stored = session.execute(
        select(TaxiiObject.stix_id, TaxiiObject.body).where(
            TaxiiObject.collection_id == collection_id,
            TaxiiObject.alert_id == alert.id,
            TaxiiObject.latest.is_(True),
        )
    )
    latest = {stix_id: json.loads(body) for stix_id, body in stored}
    current = {stix_id: _content(body) for stix_id, body in latest.items()}
    # a revoked object this collection never carried (an indicator withdrawn before the
    # alert moved here) has nothing to take back
    objects = [o for o in objects if not o.get("revoked") or o["id"] in latest]
    changed = [o for o in objects if current.get(o["id"]) != _content(o)]
    kept = {o["id"] for o in objects}
    gone = [_revoked(body, now) for stix_id, body in latest.items() if stix_id not in kept]
    changed += [body for body in gone if body is not None]
    if not changed:
        return 0
    store.add_objects(
        session=session, collection_id=collection_id, objects=changed, now=now, alert_id=alert.id
    )
    record(
        session=session,
        actor=SYSTEM,
        action="taxii.alert_objects_written",
        target_type="alert",
        target_id=alert.id,
        at=now,
        concerns=[alert.source_org_id],
        details={"collection": collection_id, "objects": len(changed)},
    )
    return len(changed)
