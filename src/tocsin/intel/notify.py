"""Telling organisations that their alert correlates with another one.

`notify_correlation` is the single place the delivery layer wires later (live stream,
e-mail): today it records one audit entry per organisation to tell, which is what a
delivery dispatcher would read. Each organisation is told only about alerts it may read,
and never learns an anonymous source: the entry names alerts, not their sources.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from tocsin.alerts.models import Alert
from tocsin.alerts.service import facts
from tocsin.audit.service import SYSTEM
from tocsin.audit.service import record as audit
from tocsin.intel.correlate import Match
from tocsin.sharing.rules import Network, can_see


def _concerned(alert: Alert, network: Network) -> set[uuid.UUID]:
    return {alert.source_org_id, *network.relays_of(alert.source_org_id)}


def notify_correlation(
    *,
    session: Session,
    alert: Alert,
    related: dict[uuid.UUID, tuple[Alert, list[Match]]],
    network: Network,
    now: datetime,
) -> set[uuid.UUID]:
    """Tell the authors and relays of both sides; return the organisations told."""
    told: set[uuid.UUID] = set()
    per_org: dict[uuid.UUID, list[dict[str, object]]] = {}
    for other, matches in related.values():
        for org_id in _concerned(alert, network) | _concerned(other, network):
            if can_see(org_id, facts(alert), network) and can_see(org_id, facts(other), network):
                per_org.setdefault(org_id, []).append(
                    {
                        "alert_id": str(other.id),
                        "matches": len(matches),
                        "how": sorted({m.how.value for m in matches}),
                    }
                )
    for org_id, items in per_org.items():
        audit(
            session=session,
            actor=SYSTEM,
            action="intel.correlation",
            target_type="alert",
            target_id=alert.id,
            at=now,
            concerns=[org_id],
            details={"notify": str(org_id), "related": items},
        )
        told.add(org_id)
    return told
