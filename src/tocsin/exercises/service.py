"""The life of an exercise: created (checked, nothing sent), started (its scenario published
as a marked alert through the publication layer), injects released, ended (the alert closed,
each participant's posture evidence written).

Functions never commit: the request, task or command that calls them owns the transaction.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tocsin.alerts.models import Alert
from tocsin.alerts.schemas import AlertContent, AlertPatch
from tocsin.audit.service import Actor, record
from tocsin.clock import as_utc
from tocsin.errors import Conflict, FieldError, InvalidInput, NotFound
from tocsin.exercises import evidence, scenarios
from tocsin.exercises.models import Exercise, ExerciseInject, ExerciseObservation, ExerciseStatus
from tocsin.exercises.schemas import ExerciseIn, InjectIn
from tocsin.publication import service as publication
from tocsin.sharing.rules import AlertFacts, Network, ScopeKind, scope_error
from tocsin.sharing.tlp import TLP


def scope_key(kind: ScopeKind, area_id: uuid.UUID | None, named: list[str]) -> str:
    """What makes two exercises comparable: the same scope."""
    if kind is ScopeKind.explicit:
        return f"explicit:{uuid.uuid5(uuid.NAMESPACE_OID, ','.join(sorted(named)))}"
    return f"{kind.value}:{area_id}"


def _scope_problems(body: ExerciseIn, org_id: uuid.UUID, network: Network) -> list[FieldError]:
    scope = body.scope
    area = scope.area_id or network.default_area(org_id, scope.kind)
    named = frozenset(scope.organisations)
    trial = AlertFacts(source_id=org_id, tlp=TLP.clear, scope=scope.kind, area_id=area,
                       named=named)  # fmt: skip
    problem = scope_error(trial, network)
    if problem:
        return [FieldError("scope", problem)]
    if area is not None and not network.in_perimeter(org_id, area):
        # An alert may go to the region one belongs to; an exercise is run from above it.
        return [FieldError("scope", "the area is outside your perimeter")]
    outside = sorted(str(o) for o in named if not network.in_perimeter(org_id, o))
    if outside:
        return [FieldError("scope.organisations", f"outside your perimeter: {', '.join(outside)}")]
    return []


def _time_problems(body: ExerciseIn, now: datetime) -> list[FieldError]:
    problems = []
    if body.starts_at is not None and body.starts_at < now:
        problems.append(FieldError("starts_at", "must not be in the past"))
    if body.ends_at is not None:
        start = body.starts_at or now
        if body.ends_at <= start:
            problems.append(FieldError("ends_at", "must be after the start"))
        last = start + timedelta(minutes=max((i.offset_minutes for i in body.injects), default=0))
        if body.injects and last >= body.ends_at:
            problems.append(FieldError("injects", "an inject falls after the exercise ends"))
    return problems


def _scenario_content(
    session: Session, body: ExerciseIn, org_id: uuid.UUID, network: Network, now: datetime
) -> dict[str, Any]:
    if body.scenario is not None:
        return body.scenario.model_dump(mode="json", exclude={"scope"})
    if body.from_alert_id is not None:
        return scenarios.from_alert(session=session, alert_id=body.from_alert_id,
                                    viewer_id=org_id, network=network)  # fmt: skip
    try:
        return dict(
            scenarios.scenario(session=session, key=str(body.scenario_key), now=now).content
        )
    except NotFound:
        raise InvalidInput.one("scenario_key", "no scenario of the library has this key") from None


def _checked_content(content: dict[str, Any], body: ExerciseIn) -> AlertContent:
    """The scenario with the exercise's scope; a TLP:RED one goes to named participants only."""
    merged = {**content, "scope": body.scope.model_dump(mode="json")}
    try:
        checked = AlertContent.model_validate(merged)
    except ValueError as exc:
        raise InvalidInput.one("scenario", str(exc)) from exc
    if checked.tlp is TLP.red and body.scope.kind is not ScopeKind.explicit:
        raise InvalidInput.one(
            "scope", "a TLP:RED scenario goes to named participants only: use an explicit scope"
        )
    return checked


def create(
    *, session: Session, body: ExerciseIn, org_id: uuid.UUID, by: Actor, network: Network,
    now: datetime,
) -> Exercise:  # fmt: skip
    """Store a new exercise after every check; nothing is sent until it starts."""
    problems = _scope_problems(body, org_id, network) + _time_problems(body, now)
    if problems:
        raise InvalidInput(problems)
    content = _checked_content(_scenario_content(session, body, org_id, network, now), body)
    kind, area = (
        body.scope.kind,
        body.scope.area_id or network.default_area(org_id, body.scope.kind),
    )
    named = sorted(str(o) for o in body.scope.organisations)
    stored = content.model_dump(mode="json")
    stored["scope"]["area_id"] = str(area) if area else None
    exercise = Exercise(
        id=uuid.uuid4(), org_id=org_id, created_by=by.user_id, title=body.title,
        status=ExerciseStatus.scheduled, content=stored,
        scope_key=scope_key(kind, area, named), from_alert_id=body.from_alert_id,
        starts_at=body.starts_at, ends_at=body.ends_at,
        acknowledge_minutes=body.acknowledge_minutes, created_at=now, injects=[],
    )  # fmt: skip
    exercise.injects = [_inject(i) for i in body.injects]
    session.add(exercise)
    session.flush()
    _audit(session, exercise, by, "exercise.create", now, {"title": body.title})
    return exercise


def _inject(item: InjectIn) -> ExerciseInject:
    patch = item.changes.model_dump(mode="json", exclude_unset=True, exclude={"note"})
    return ExerciseInject(offset_minutes=item.offset_minutes, note=item.note, patch=patch)


def get(
    *, session: Session, exercise_id: uuid.UUID, viewer_id: uuid.UUID, network: Network
) -> Exercise:
    """An exercise its organiser (or a relay above it) may see; anything else looks absent."""
    exercise = session.get(Exercise, exercise_id)
    if exercise is None or not (
        exercise.org_id == viewer_id or network.in_perimeter(viewer_id, exercise.org_id)
    ):
        raise NotFound("no such exercise")
    return exercise


def _own(session: Session, exercise_id: uuid.UUID, org_id: uuid.UUID) -> Exercise:
    exercise = session.get(Exercise, exercise_id)
    if exercise is None or exercise.org_id != org_id:
        raise NotFound("no such exercise")
    return exercise


def start(
    *, session: Session, exercise_id: uuid.UUID, org_id: uuid.UUID, by: Actor, network: Network,
    now: datetime,
) -> Exercise:  # fmt: skip
    """Publish the scenario as a marked alert to the participants, through the real channels."""
    exercise = _own(session, exercise_id, org_id)
    if exercise.status is not ExerciseStatus.scheduled:
        raise Conflict(f"this exercise is {exercise.status.value}: it starts once")
    _publish(session, exercise, by, network, now)
    return exercise


def _publish(
    session: Session, exercise: Exercise, by: Actor, network: Network, now: datetime
) -> None:
    content = AlertContent.model_validate(exercise.content)
    draft = publication.create_draft(session=session, content=content,
                                     source_org_id=exercise.org_id, by=by, network=network,
                                     now=now)  # fmt: skip
    draft.exercise = True
    draft.acknowledge_minutes = exercise.acknowledge_minutes
    alert = publication.publish(session=session, alert_id=draft.id, org_id=exercise.org_id, by=by,
                                network=network, now=now, note=exercise.title)  # fmt: skip
    exercise.alert_id = alert.id
    exercise.status = ExerciseStatus.running
    exercise.started_at = now
    _audit(session, exercise, by, "exercise.start", now, {"alert_id": str(alert.id)})


def add_inject(
    *, session: Session, exercise_id: uuid.UUID, item: InjectIn, org_id: uuid.UUID, by: Actor,
    now: datetime,
) -> Exercise:  # fmt: skip
    """Plan one more update of the scenario; refused once the exercise has ended."""
    exercise = _own(session, exercise_id, org_id)
    if exercise.status is ExerciseStatus.ended:
        raise InvalidInput.one("offset_minutes", "the exercise has ended: no more injects")
    start_at = exercise.started_at or exercise.starts_at or now  # the earliest it can start
    ends_at = as_utc(exercise.ends_at) if exercise.ends_at else None
    if (
        ends_at
        and start_at
        and as_utc(start_at) + timedelta(minutes=item.offset_minutes) >= ends_at
    ):
        raise InvalidInput.one("offset_minutes", "falls after the exercise ends")
    exercise.injects.append(_inject(item))
    session.flush()
    _audit(session, exercise, by, "exercise.inject_add", now, {"offset": item.offset_minutes})
    return exercise


def release_injects(
    *, session: Session, exercise: Exercise, network: Network, now: datetime
) -> int:
    """Publish, as updates of the scenario's alert, the injects whose time has come."""
    if exercise.status is not ExerciseStatus.running or exercise.started_at is None:
        return 0
    started = as_utc(exercise.started_at)
    due = [
        i for i in exercise.injects
        if i.released_at is None and started + timedelta(minutes=i.offset_minutes) <= now
    ]  # fmt: skip
    by = Actor(user_id=None, org_id=exercise.org_id)
    for item in due:
        patch = AlertPatch.model_validate({**item.patch, "note": item.note})
        publication.update(session=session, alert_id=exercise.alert_id, patch=patch,  # type: ignore[arg-type]
                           org_id=exercise.org_id, by=by, network=network, now=now)  # fmt: skip
        item.released_at = now
    return len(due)


def end(
    *, session: Session, exercise_id: uuid.UUID, org_id: uuid.UUID, by: Actor, network: Network,
    now: datetime,
) -> Exercise:  # fmt: skip
    """Close the scenario's alert and write each participant's posture evidence."""
    exercise = _own(session, exercise_id, org_id)
    _finish(session, exercise, by, network, now)
    return exercise


def _finish(
    session: Session, exercise: Exercise, by: Actor, network: Network, now: datetime
) -> None:
    if exercise.status is not ExerciseStatus.running:
        raise Conflict(f"only a running exercise ends; this one is {exercise.status.value}")
    alert = session.get(Alert, exercise.alert_id)
    if alert is not None and alert.status.is_live:
        publication.close(session=session, alert_id=alert.id, org_id=exercise.org_id, by=by,
                          network=network, now=now, note="fin de l'exercice")  # fmt: skip
    exercise.status = ExerciseStatus.ended
    exercise.ended_at = now
    written = evidence.record_participation(session=session, exercise=exercise, now=now)
    _audit(session, exercise, by, "exercise.end", now, {"evidence": written})


def observe(
    *, session: Session, exercise_id: uuid.UUID, participant_id: uuid.UUID, note: str,
    org_id: uuid.UUID, by: Actor, network: Network, now: datetime,
) -> ExerciseObservation:  # fmt: skip
    """Write the observers' note on one participant (replacing the previous one)."""
    exercise = _own(session, exercise_id, org_id)
    if participant_id not in network.orgs:
        raise NotFound("no such organisation")
    row = session.scalar(select(ExerciseObservation).where(
        ExerciseObservation.exercise_id == exercise.id,
        ExerciseObservation.org_id == participant_id))  # fmt: skip
    if row is None:
        row = ExerciseObservation(exercise_id=exercise.id, org_id=participant_id, note=note,
                                  written_at=now)  # fmt: skip
        session.add(row)
    row.note, row.written_by, row.written_at = note, by.user_id, now
    session.flush()
    _audit(session, exercise, by, "exercise.observe", now, {"participant": str(participant_id)})
    return row


def tick(*, session: Session, network: Network, now: datetime) -> int:
    """Start the exercises whose time has come, release due injects, end those past their
    end; returns how many changes were made."""
    changes = 0
    # Two nodes may tick at once: each takes the rows the other has not locked.
    due = session.scalars(select(Exercise).where(
        Exercise.status == ExerciseStatus.scheduled, Exercise.starts_at <= now,
    ).with_for_update(skip_locked=True))  # fmt: skip
    for exercise in list(due):
        _publish(session, exercise, Actor(user_id=None, org_id=exercise.org_id), network, now)
        changes += 1
    running = session.scalars(select(Exercise).where(
        Exercise.status == ExerciseStatus.running).with_for_update(skip_locked=True))  # fmt: skip
    for exercise in list(running):
        changes += release_injects(session=session, exercise=exercise, network=network, now=now)
        if exercise.ends_at is not None and as_utc(exercise.ends_at) <= now:
            _finish(session, exercise, Actor(user_id=None, org_id=exercise.org_id), network, now)
            changes += 1
    return changes


def _audit(
    session: Session, exercise: Exercise, by: Actor, action: str, now: datetime,
    details: dict[str, Any],
) -> None:  # fmt: skip
    record(session=session, actor=by, action=action, target_type="exercise",
           target_id=exercise.id, at=now, concerns=[exercise.org_id], details=details)  # fmt: skip
