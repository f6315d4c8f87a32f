"""What waits for an organisation: the critical alerts it has not acknowledged (its inbox
opens on them) and the escalations fired to its directors (its director's page). Reads only."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from tocsin.alerts.models import Alert
from tocsin.alerts.vocab import Severity, Status
from tocsin.responses.deadlines import Stage
from tocsin.responses.models import AlertResponse, Escalation, EscalationStatus


def escalated_to_directors(
    *, session: Session, org_id: uuid.UUID
) -> list[tuple[Escalation, Alert]]:
    """Escalations fired to this organisation's directors for alerts still live and not yet
    acknowledged by it, newest first: what its director is asked to see to now."""
    query = (
        select(Escalation, Alert)
        .join(Alert, Alert.id == Escalation.alert_id)
        .join(
            AlertResponse,
            (AlertResponse.alert_id == Escalation.alert_id)
            & (AlertResponse.org_id == Escalation.org_id),
        )
        .where(
            Escalation.org_id == org_id,
            Escalation.stage == Stage.director,
            Escalation.status == EscalationStatus.fired,
            AlertResponse.acknowledged_at.is_(None),
            Alert.status.in_([Status.published, Status.updated]),
        )
        .order_by(Escalation.fired_at.desc(), Escalation.id)
    )
    return [(escalation, alert) for escalation, alert in session.execute(query)]


def awaiting_acknowledgement(
    *, session: Session, org_id: uuid.UUID, severity: Severity, limit: int
) -> list[Alert]:
    """Live alerts of this severity the organisation received and has not acknowledged,
    newest first (bounded): what its inbox opens on, whatever their age."""
    query = (
        select(Alert)
        .join(AlertResponse, AlertResponse.alert_id == Alert.id)
        .where(
            AlertResponse.org_id == org_id,
            AlertResponse.recipient.is_(True),
            AlertResponse.acknowledged_at.is_(None),
            Alert.severity == severity,
            Alert.status.in_([Status.published, Status.updated]),
        )
        .order_by(Alert.created_at.desc(), Alert.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))
