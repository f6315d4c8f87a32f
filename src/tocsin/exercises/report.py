"""The report of an exercise: who took part, who received and acknowledged it and how fast,
who stayed silent, which channel reached each first, the escalations, the observers' notes,
and the previous exercise of the same scope to compare with. Read-only.
"""

from __future__ import annotations

import statistics
import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tocsin.alerts.schemas import OrgRef
from tocsin.clock import as_utc
from tocsin.delivery.models import Delivery
from tocsin.exercises.models import Exercise, ExerciseObservation, ExerciseStatus
from tocsin.exercises.schemas import ExerciseReport, PreviousExercise, ReportRow
from tocsin.network.models import Organisation
from tocsin.responses.models import AlertResponse, Escalation, EscalationStatus


def _seconds(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return max(0.0, (as_utc(end) - as_utc(start)).total_seconds())


def median(values: Iterable[float | None]) -> float | None:
    """The median of the known values; None when none is known."""
    known = [v for v in values if v is not None]
    return statistics.median(known) if known else None


def _first_channels(session: Session, alert_id: uuid.UUID) -> dict[uuid.UUID, str]:
    rows = session.execute(
        select(Delivery.recipient_org_id, Delivery.channel, Delivery.delivered_at)
        .where(Delivery.alert_id == alert_id, Delivery.delivered_at.is_not(None))
        .order_by(Delivery.delivered_at, Delivery.seq)
    )
    first: dict[uuid.UUID, str] = {}
    for org_id, channel, _at in rows:
        first.setdefault(org_id, channel.value)
    return first


def _escalations(session: Session, alert_id: uuid.UUID) -> dict[uuid.UUID, int]:
    rows = session.execute(
        select(Escalation.org_id, func.count())
        .where(Escalation.alert_id == alert_id, Escalation.status == EscalationStatus.fired)
        .group_by(Escalation.org_id)
    )
    return {org_id: count for org_id, count in rows}


def _responses(session: Session, alert_id: uuid.UUID | None) -> list[AlertResponse]:
    if alert_id is None:
        return []
    return list(session.scalars(select(AlertResponse).where(
        AlertResponse.alert_id == alert_id, AlertResponse.recipient.is_(True))))  # fmt: skip


def _rows(session: Session, exercise: Exercise) -> list[ReportRow]:
    responses = _responses(session, exercise.alert_id)
    if not responses or exercise.alert_id is None:
        return []
    org_ids = {r.org_id for r in responses}
    orgs = {
        o.id: o for o in session.scalars(select(Organisation).where(Organisation.id.in_(org_ids)))
    }
    noted = select(ExerciseObservation.org_id, ExerciseObservation.note).where(
        ExerciseObservation.exercise_id == exercise.id
    )
    notes = {org_id: note for org_id, note in session.execute(noted)}
    channels = _first_channels(session, exercise.alert_id)
    escalations = _escalations(session, exercise.alert_id)
    rows = [
        ReportRow(
            organisation=_ref(orgs[r.org_id]),
            reached_at=r.reached_at, received_at=r.received_at, acknowledged_at=r.acknowledged_at,
            time_to_receive_seconds=_seconds(r.reached_at, r.received_at),
            time_to_acknowledge_seconds=_seconds(r.reached_at, r.acknowledged_at),
            first_channel=channels.get(r.org_id), escalations=escalations.get(r.org_id, 0),
            observation=notes.get(r.org_id),
        )
        for r in responses
        if r.org_id in orgs
    ]  # fmt: skip
    return sorted(rows, key=_fastest_first)


def _fastest_first(row: ReportRow) -> tuple[bool, float, str]:
    took = row.time_to_acknowledge_seconds
    return (took is None, took or 0.0, row.organisation.name)


def _ref(org: Organisation) -> OrgRef:
    return OrgRef(id=org.id, name=org.name, kind=org.kind.value)


def _previous(session: Session, exercise: Exercise) -> PreviousExercise | None:
    if exercise.started_at is None:
        return None
    earlier = session.scalar(
        select(Exercise)
        .where(Exercise.org_id == exercise.org_id, Exercise.scope_key == exercise.scope_key)
        .where(Exercise.id != exercise.id, Exercise.started_at < exercise.started_at)
        .where(Exercise.status != ExerciseStatus.scheduled)
        .order_by(Exercise.started_at.desc())
        .limit(1)
    )
    if earlier is None:
        return None
    responses = _responses(session, earlier.alert_id)
    return PreviousExercise(
        id=earlier.id, title=earlier.title, started_at=earlier.started_at,
        participants=len(responses),
        acknowledged=sum(1 for r in responses if r.acknowledged_at),
        median_time_to_acknowledge_seconds=median(
            _seconds(r.reached_at, r.acknowledged_at) for r in responses),
    )  # fmt: skip


def report(*, session: Session, exercise: Exercise) -> ExerciseReport:
    """The report of the exercise as it stands (it may still be running)."""
    rows = _rows(session, exercise)
    return ExerciseReport(
        exercise_id=exercise.id, title=exercise.title, status=exercise.status,
        started_at=exercise.started_at, participants=len(rows),
        received=sum(1 for r in rows if r.received_at),
        acknowledged=sum(1 for r in rows if r.acknowledged_at),
        silent=sum(1 for r in rows if r.acknowledged_at is None),
        escalations=sum(r.escalations for r in rows),
        median_time_to_receive_seconds=median(r.time_to_receive_seconds for r in rows),
        median_time_to_acknowledge_seconds=median(r.time_to_acknowledge_seconds for r in rows),
        rows=rows, previous=_previous(session, exercise),
    )  # fmt: skip
