"""The report of an exercise as a page (with its chart) and as a PDF, for the organiser and
the relays above it."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import Response

from tocsin.briefing.api import DOCUMENT_CSP
from tocsin.deps import SessionDep, SettingsDep
from tocsin.exercises import present, service
from tocsin.exercises.report import report
from tocsin.network.auth import NetworkDep
from tocsin.web.auth import MemberDep, principal_of
from tocsin.web.render import page

router = APIRouter(include_in_schema=False)


@router.get("/exercises/{exercise_id}/report")
def report_page(
    request: Request, exercise_id: uuid.UUID, who: MemberDep, session: SessionDep,
    network: NetworkDep,
) -> Response:  # fmt: skip
    """Who received and acknowledged the exercise, how fast, and who stayed silent."""
    exercise = service.get(session=session, exercise_id=exercise_id,
                           viewer_id=principal_of(who).org_id, network=network)  # fmt: skip
    found = report(session=session, exercise=exercise)
    return page(request, who, "exercise_report.html", r=found, w=present.words(who.language),
                chart=present.chart(found, who.language), minutes=present.minutes)  # fmt: skip


@router.get("/exercises/{exercise_id}/report.pdf")
def report_pdf(
    exercise_id: uuid.UUID, who: MemberDep, session: SessionDep, network: NetworkDep,
    settings: SettingsDep,
) -> Response:  # fmt: skip
    """The same report on A4 pages."""
    exercise = service.get(session=session, exercise_id=exercise_id,
                           viewer_id=principal_of(who).org_id, network=network)  # fmt: skip
    body = present.report_pdf(report(session=session, exercise=exercise),
                              language=who.language, zone_name=settings.time_zone)  # fmt: skip
    headers = {"Content-Disposition": f'attachment; filename="tocsin-exercise-{exercise_id}.pdf"',
               "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store",
               "Content-Security-Policy": DOCUMENT_CSP}  # fmt: skip
    return Response(body, media_type="application/pdf", headers=headers)
