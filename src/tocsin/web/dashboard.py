"""The director's dashboard: posture checklist, score, sign-off, alerts of the last 90 days.

Acknowledgement and applicability columns come from the responses package through the
`web.response_cells` hook (see `web.hooks`); until it is registered the columns show a dash.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from tocsin.alerts import reads
from tocsin.alerts.models import Alert
from tocsin.alerts.vocab import Status
from tocsin.deps import NowDep, SessionDep, StateDep
from tocsin.errors import Forbidden
from tocsin.network import service as network_service
from tocsin.network.auth import NetworkDep
from tocsin.network.models import Organisation
from tocsin.posture import service as posture
from tocsin.posture.models import ItemStatus
from tocsin.posture.schemas import AnswerIn
from tocsin.sharing.rules import Network
from tocsin.state import AppState
from tocsin.web import director_now, responding
from tocsin.web.auth import FormDep, MemberDep, PostingMemberDep, Visitor, org_id_of, principal_of
from tocsin.web.render import page

router = APIRouter(include_in_schema=False)
WINDOW = timedelta(days=90)


def received(
    session: Session,
    org_id: uuid.UUID,
    network: Network,
    since: datetime,
    until: datetime | None = None,
) -> list[Alert]:
    """Alerts other organisations published that this one may read, in a window."""
    filters = reads.AlertFilters(since=since)
    rows = reads.list_visible(
        session=session, viewer_id=org_id, network=network, filters=filters, after=None, limit=500
    )
    return [
        a
        for a in rows
        if a.status is not Status.draft
        and a.source_org_id != org_id
        and a.published_at
        and a.published_at >= since
        and (until is None or a.published_at < until)
    ]


def response_cells(
    state: AppState, session: Session, org_id: uuid.UUID, alerts: list[Alert]
) -> dict[uuid.UUID, dict[str, Any]]:
    return responding.cells(session, state.settings, org_id, [a.id for a in alerts])


def _target(
    who: Visitor, org_id: uuid.UUID | None, network: Network, session: Session
) -> Organisation:
    """The organisation shown: one's own, or one in a relay's perimeter."""
    target = org_id or org_id_of(who)
    posture.require_reader(principal_of(who), target, network)
    return network_service.get_organisation(session=session, org_id=target)


def _dashboard(
    request: Request,
    who: Visitor,
    session: Session,
    network: Network,
    state: AppState,
    now: datetime,
    org_id: uuid.UUID | None,
) -> Response:
    org = _target(who, org_id, network, session)
    current = posture.posture_of(session=session, org_id=org.id, now=now)
    alerts = received(session, org.id, network, now - WINDOW)
    own = org.id == org_id_of(who)
    cells = response_cells(state, session, org.id, alerts)
    return page(
        request,
        who,
        "dashboard.html",
        org=org,
        posture=current,
        alerts=alerts,
        own=own,
        cells=cells,
        now_needs=director_now.needs(session, org.id, network, alerts, cells),
        score_chart=director_now.score_chart(session, org.id, current.score, now, who.language),
        statuses=list(ItemStatus),
        is_director=own and "director" in {r.value for r in principal_of(who).roles},
    )


@router.get("/dashboard")
def dashboard(
    request: Request,
    who: MemberDep,
    session: SessionDep,
    network: NetworkDep,
    state: StateDep,
    now: NowDep,
) -> Response:
    return _dashboard(request, who, session, network, state, now, None)


@router.get("/dashboard/{org_id}")
def dashboard_of(
    request: Request,
    org_id: uuid.UUID,
    who: MemberDep,
    session: SessionDep,
    network: NetworkDep,
    state: StateDep,
    now: NowDep,
) -> Response:
    """A relay's drill-down into an establishment of its perimeter."""
    return _dashboard(request, who, session, network, state, now, org_id)


def _evidence_date(raw: str) -> datetime | None:
    try:
        return datetime.fromisoformat(raw).replace(tzinfo=UTC) if raw else None
    except ValueError:
        return None


@router.post("/dashboard/items/{key}")
def answer_item(
    key: str, who: PostingMemberDep, form: FormDep, session: SessionDep, now: NowDep
) -> Response:
    """Record status, evidence and date of one checklist item for one's own organisation."""
    principal = principal_of(who)
    principal.require_writer()
    try:
        body = AnswerIn.model_validate(
            {
                "status": str(form.get("status") or ""),
                "evidence": str(form.get("evidence") or ""),
                "evidenced_on": _evidence_date(str(form.get("evidenced_on") or "")),
            }
        )
    except ValidationError:
        return RedirectResponse("/dashboard?error=status", status_code=303)
    posture.answer(
        session=session, org_id=principal.org_id, key=key, body=body, by=principal.actor, now=now
    )
    return RedirectResponse(f"/dashboard#item-{key}", status_code=303)


@router.post("/dashboard/signoff")
def sign_off(who: PostingMemberDep, form: FormDep, session: SessionDep, now: NowDep) -> Response:
    """The director signs the checklist as it stands."""
    principal = principal_of(who)
    try:
        posture.sign_off(
            session=session,
            principal=principal,
            org_id=principal.org_id,
            note=str(form.get("note") or "")[:5000],
            now=now,
        )
    except Forbidden:
        return RedirectResponse("/dashboard?error=director", status_code=303)
    return RedirectResponse("/dashboard", status_code=303)


def _month(raw: str | None, now: datetime) -> datetime:
    try:
        return datetime.strptime(raw or "", "%Y-%m").replace(tzinfo=UTC)
    except ValueError:
        return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


@router.get("/dashboard/report/monthly")
def monthly_report(
    request: Request,
    who: MemberDep,
    session: SessionDep,
    network: NetworkDep,
    state: StateDep,
    now: NowDep,
) -> Response:
    """A printable page for the board: posture, sign-off and the month's alerts."""
    start = _month(request.query_params.get("month"), now)
    end = (start + timedelta(days=32)).replace(day=1)
    org = _target(who, None, network, session)
    current = posture.posture_of(session=session, org_id=org.id, now=now)
    alerts = received(session, org.id, network, start, end)
    return page(
        request,
        who,
        "report.html",
        org=org,
        posture=current,
        alerts=alerts,
        month=start,
        cells=response_cells(state, session, org.id, alerts),
        generated=now,
    )
