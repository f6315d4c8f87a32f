"""Alerts into TAXII: after each revision, the alert's STIX objects go to its TLP collection.

Imported by `alerts.hooks`, so it imports no alert service (that would be a cycle).
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
from tocsin.interop.taxii import store
from tocsin.interop.taxii.collections import tlp_collection_id
from tocsin.interop.taxii.models import TaxiiObject
from tocsin.interop.taxii.objects import indicator_objects


def _content(obj: dict[str, Any]) -> dict[str, Any]:
    """An object without its version stamp: what tells a real change from a re-publication."""
    return {k: v for k, v in obj.items() if k != "modified"}


def publish_alert_objects(*, session: Session, alert: Alert, now: datetime) -> int:
    """Write the alert's changed STIX objects to the collection of its TLP; how many."""
    if alert.status is Status.draft or not alert.tlp.in_resharing_feeds:
        return 0  # AMBER+STRICT and RED never reach a re-sharing feed
    collection_id = tlp_collection_id(alert.tlp)
    # Switch to `tocsin.interop.stix.stix_objects_for_alert` once it is merged.
    objects = indicator_objects(alert, now)
    stored = session.execute(
        select(TaxiiObject.stix_id, TaxiiObject.body).where(
            TaxiiObject.collection_id == collection_id,
            TaxiiObject.alert_id == alert.id,
            TaxiiObject.latest.is_(True),
        )
    )
    current = {stix_id: _content(json.loads(body)) for stix_id, body in stored}
    changed = [o for o in objects if current.get(o["id"]) != _content(o)]
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
