"""Routes of exercises: create, start, inject, end, observe, report (JSON and PDF), library."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Path, status
from fastapi.responses import Response

from tocsin.deps import NowDep, SessionDep, SettingsDep
from tocsin.exercises import present, scenarios, service
from tocsin.exercises.report import report
from tocsin.exercises.schemas import (
    ExerciseIn,
    ExerciseOut,
    ExerciseReport,
    InjectIn,
    ObservationIn,
    ScenarioEdit,
    ScenarioOut,
)
from tocsin.network.auth import NetworkDep, PrincipalDep
from tocsin.network.models import Scope
from tocsin.schemas_common import PROBLEM_RESPONSES

router = APIRouter(prefix="/api/v1", tags=["exercises"], responses=PROBLEM_RESPONSES)

ScenarioKey = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]
PDF: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {}}, "description": "the report on A4 pages"}
}


@router.post("/exercises", response_model=ExerciseOut, status_code=status.HTTP_201_CREATED)
def create_exercise(
    body: ExerciseIn, principal: PrincipalDep, session: SessionDep, network: NetworkDep,
    now: NowDep,
) -> ExerciseOut:  # fmt: skip
    """Plan an exercise within your perimeter; nothing is sent until it starts."""
    principal.require_writer()
    exercise = service.create(session=session, body=body, org_id=principal.org_id,
                              by=principal.actor, network=network, now=now)  # fmt: skip
    return present.exercise_out(session, exercise)


@router.get("/exercises/{exercise_id}", response_model=ExerciseOut)
def get_exercise(
    exercise_id: uuid.UUID, principal: PrincipalDep, session: SessionDep, network: NetworkDep
) -> ExerciseOut:
    """The exercise's state and, once started, its `alert_id`."""
    principal.require_scope(Scope.read)
    exercise = service.get(session=session, exercise_id=exercise_id,
                           viewer_id=principal.org_id, network=network)  # fmt: skip
    return present.exercise_out(session, exercise)


@router.post("/exercises/{exercise_id}/start", response_model=ExerciseOut)
def start_exercise(
    exercise_id: uuid.UUID, principal: PrincipalDep, session: SessionDep, network: NetworkDep,
    now: NowDep,
) -> ExerciseOut:  # fmt: skip
    """Publish the scenario now, marked as an exercise, through every real channel."""
    principal.require_writer()
    exercise = service.start(session=session, exercise_id=exercise_id, org_id=principal.org_id,
                             by=principal.actor, network=network, now=now)  # fmt: skip
    return present.exercise_out(session, exercise)


@router.post("/exercises/{exercise_id}/injects", response_model=ExerciseOut,
             status_code=status.HTTP_201_CREATED)  # fmt: skip
def add_inject(
    exercise_id: uuid.UUID, body: InjectIn, principal: PrincipalDep, session: SessionDep,
    now: NowDep,
) -> ExerciseOut:  # fmt: skip
    """Plan one more update of the scenario, released at its offset after the start."""
    principal.require_writer()
    exercise = service.add_inject(session=session, exercise_id=exercise_id, item=body,
                                  org_id=principal.org_id, by=principal.actor, now=now)  # fmt: skip
    return present.exercise_out(session, exercise)


@router.post("/exercises/{exercise_id}/end", response_model=ExerciseOut)
def end_exercise(
    exercise_id: uuid.UUID, principal: PrincipalDep, session: SessionDep, network: NetworkDep,
    now: NowDep,
) -> ExerciseOut:  # fmt: skip
    """Close the scenario's alert and write each participant's posture evidence."""
    principal.require_writer()
    exercise = service.end(session=session, exercise_id=exercise_id, org_id=principal.org_id,
                           by=principal.actor, network=network, now=now)  # fmt: skip
    return present.exercise_out(session, exercise)


@router.put("/exercises/{exercise_id}/observations/{org_id}", status_code=204)
def observe(
    exercise_id: uuid.UUID, org_id: uuid.UUID, body: ObservationIn, principal: PrincipalDep,
    session: SessionDep, network: NetworkDep, now: NowDep,
) -> Response:  # fmt: skip
    """The observers' note on one participant (replaces the previous one)."""
    principal.require_writer()
    service.observe(session=session, exercise_id=exercise_id, participant_id=org_id,
                    note=body.note, org_id=principal.org_id, by=principal.actor,
                    network=network, now=now)  # fmt: skip
    return Response(status_code=204)


@router.get("/exercises/{exercise_id}/report", response_model=ExerciseReport)
def exercise_report(
    exercise_id: uuid.UUID, principal: PrincipalDep, session: SessionDep, network: NetworkDep
) -> ExerciseReport:
    """Who received and acknowledged, how fast, who stayed silent, compared with the last time."""
    principal.require_scope(Scope.read)
    exercise = service.get(session=session, exercise_id=exercise_id,
                           viewer_id=principal.org_id, network=network)  # fmt: skip
    return report(session=session, exercise=exercise)


@router.get("/exercises/{exercise_id}/report.pdf", response_class=Response, responses=PDF)
def exercise_report_pdf(
    exercise_id: uuid.UUID, principal: PrincipalDep, session: SessionDep, network: NetworkDep,
    settings: SettingsDep,
) -> Response:  # fmt: skip
    """The report with its chart, on A4 pages to file with the posture evidence."""
    principal.require_scope(Scope.read)
    exercise = service.get(session=session, exercise_id=exercise_id,
                           viewer_id=principal.org_id, network=network)  # fmt: skip
    body = present.report_pdf(report(session=session, exercise=exercise),
                              language=settings.language, zone_name=settings.time_zone)  # fmt: skip
    name = f"tocsin-exercise-{exercise_id}.pdf"
    return Response(body, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "X-Content-Type-Options": "nosniff"})  # fmt: skip


@router.get("/exercise-scenarios", response_model=list[ScenarioOut])
def list_scenarios(principal: PrincipalDep, session: SessionDep, now: NowDep) -> list[ScenarioOut]:
    """The scenario library (French scenarios shipped with tocsin, as edited since)."""
    principal.require_scope(Scope.read)
    rows = scenarios.library(session=session, now=now)
    return [ScenarioOut.model_validate(r, from_attributes=True) for r in rows]


@router.put("/exercise-scenarios/{key}", response_model=ScenarioOut)
def edit_scenario(
    key: ScenarioKey, body: ScenarioEdit, principal: PrincipalDep, session: SessionDep, now: NowDep
) -> ScenarioOut:
    """Replace or add a scenario of the library (relays and the national CERT)."""
    principal.require_writer()
    row = scenarios.edit_scenario(session=session, key=key, body=body,
                                  org_kind=principal.org_kind, by=principal.actor,
                                  now=now)  # fmt: skip
    return ScenarioOut.model_validate(row, from_attributes=True)
