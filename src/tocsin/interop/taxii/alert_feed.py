"""Alerts into TAXII: after each revision, the alert's STIX objects go to its TLP collection.

The objects are those of the STIX export (report, indicators, malware, attack patterns,
courses of action, relationships, markings), rendered for the reader class every reader
of the alert is in (a collection is shared by many readers, each row checked on every read),
exactly as the export renders them for that class. An object that leaves
the alert is written again as revoked, and withdrawn indicators and the objects of a retracted
alert come revoked exactly as the export shows them (`stix.with_retractions`), so consumers
(firewalls, MISP, OpenCTI) drop them rather than keep blocking.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tocsin.alerts.models import Alert
from tocsin.alerts.vocab import Status
from tocsin.audit.service import SYSTEM, record
from tocsin.interop.stix import RETRACTED_LABEL, stix_objects_for_every_reader, with_retractions
from tocsin.interop.stix_vocab import timestamp
from tocsin.interop.taxii import store
from tocsin.interop.taxii.collections import tlp_collection_id
from tocsin.interop.taxii.models import TaxiiObject
from tocsin.sharing.rules import Network


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


def publish_alert_objects(
    *, session: Session, alert: Alert, network: Network, now: datetime
) -> int:
    """Write the alert's changed STIX objects to the collection of its TLP; how many."""
    if alert.status is Status.draft or not alert.tlp.in_resharing_feeds:
        return 0  # AMBER+STRICT and RED never reach a re-sharing feed
    if alert.exercise:
        return 0  # a scenario's indicators must reach no consumer's blocking rules
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
