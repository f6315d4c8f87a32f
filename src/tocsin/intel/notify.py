"""Telling organisations that their alert correlates with another one.

`notify_correlation` sends each organisation to tell a notice through the delivery
channels (live stream, webhooks, e-mail) and records an audit entry. Each organisation is
told only about alerts it may read, and never learns an anonymous source: the notice names
alerts and how they match, not their sources.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from tocsin.alerts.models import Alert
from tocsin.alerts.projection import facts
from tocsin.audit.service import SYSTEM
from tocsin.audit.service import record as audit
from tocsin.delivery.notify import Notice, write_notice
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
        write_notice(
            session=session,
            notice=Notice(
                kind="correlation", link=f"/alerts/{alert.id}",
                subject=f"{len(items)} related alert(s) share indicators with: {alert.title}",
                text="Alerts sharing indicators with this one: "
                     + ", ".join(f"/alerts/{item['alert_id']}" for item in items) + ".",
                details={"alert_id": str(alert.id), "related": items, "title": alert.title},
            ),
            recipients=[org_id],
            now=now,
        )  # fmt: skip
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
