"""Taking part in an exercise, as evidence on each participant's posture checklist item for
crisis exercises: dated, with the time to acknowledge, seen by its director and relays."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tocsin.audit.service import Actor
from tocsin.clock import as_utc
from tocsin.exercises.models import Exercise
from tocsin.localtime import duration_text
from tocsin.posture import service as posture
from tocsin.posture.models import ItemStatus
from tocsin.posture.schemas import AnswerIn
from tocsin.responses.models import AlertResponse

CRISIS_EXERCISE_ITEM = "crisis_exercise"


def evidence_text(exercise: Exercise, response: AlertResponse) -> str:
    """What the checklist says of one participation, in French (the checklist's language)."""
    day = as_utc(exercise.started_at or response.reached_at).date().isoformat()
    said = f"Exercice « {exercise.title} » du {day} : "
    if response.acknowledged_at is None:
        return said + "alerte reçue, pas d'accusé de réception."
    took = as_utc(response.acknowledged_at) - as_utc(response.reached_at)
    return said + f"accusé de réception en {duration_text(took, 'fr')}."


def record_participation(*, session: Session, exercise: Exercise, now: datetime) -> int:
    """Write the evidence of every participant; returns how many."""
    rows = session.scalars(
        select(AlertResponse).where(
            AlertResponse.alert_id == exercise.alert_id, AlertResponse.recipient.is_(True)
        )
    )
    written = 0
    for response in rows:
        status = ItemStatus.done if response.acknowledged_at else ItemStatus.partial
        body = AnswerIn(status=status, evidence=evidence_text(exercise, response), evidenced_on=now)
        posture.answer(session=session, org_id=response.org_id, key=CRISIS_EXERCISE_ITEM,
                       body=body, by=Actor(org_id=exercise.org_id), now=now)  # fmt: skip
        written += 1
    return written
