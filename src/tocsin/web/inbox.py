"""Pages of alerts: the inbox, one alert, its indicators as CSV, lifecycle buttons."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from tocsin.alerts import present, reads
from tocsin.alerts import service as alerts_service
from tocsin.alerts.models import Alert
from tocsin.alerts.schemas import AlertPatch
from tocsin.alerts.vocab import Category, Severity, Status
from tocsin.deps import NetworkDep, NowDep, SessionDep, StateDep
from tocsin.errors import Conflict, InvalidInput, NotFound
from tocsin.pagination import decode_cursor, encode_cursor
from tocsin.sharing.rules import Network
from tocsin.sharing.tlp import TLP
from tocsin.state import AppState
from tocsin.web import alert_intel, hooks, views
from tocsin.web.auth import (
    FormDep,
    MemberDep,
    PostingMemberDep,
    Visitor,
    can_write,
    org_id_of,
    principal_of,
)
from tocsin.web.i18n import translations
from tocsin.web.render import render

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 25
STREAM_PATH = "/api/v1/stream"


def page(
    request: Request, who: Visitor, template: str, status_code: int = 200, **values: Any
) -> Response:
    return render(
        request,
        template,
        language=who.language,
        status_code=status_code,
        csrf=who.csrf,
        who=who,
        **values,
    )


def not_found_page(request: Request, who: Visitor) -> Response:
    """The same page whether the thing is absent or hidden from this organisation."""
    return page(request, who, "not_found.html", status_code=404)


def refused_page(request: Request, who: Visitor) -> Response:
    """A change asked by an account that may only read: said plainly, 403."""
    text = translations(who.language).gettext(
        "Your account may read but not act for your organisation: ask your security officer."
    )
    return page(request, who, "message.html", 403, message=text)


def _has_stream(request: Request) -> bool:
    """The live inbox connects only where this node runs the live hub behind the stream."""
    state: AppState = request.app.state.tocsin
    return state.components.get("live_hub") is not None


def _filters(request: Request) -> tuple[reads.AlertFilters, dict[str, str]]:
    query = request.query_params
    chosen = {k: query.get(k, "").strip()[:200] for k in ("category", "severity", "status", "q")}
    filters = reads.AlertFilters(
        category=views.enum_or_none(Category, chosen["category"]),
        severity=views.enum_or_none(Severity, chosen["severity"]),
        status=views.enum_or_none(Status, chosen["status"]),
        text=chosen["q"] or None,
    )
    return filters, chosen


@router.get("/inbox")
def inbox(
    request: Request, who: MemberDep, session: SessionDep, network: NetworkDep, state: StateDep
) -> Response:
    """Alerts the organisation may read, newest first; htmx asks for the next rows only."""
    filters, chosen = _filters(request)
    cursor = request.query_params.get("cursor")
    try:
        after = decode_cursor(cursor, as_datetime=True) if cursor else None
    except InvalidInput:
        after = None
    rows = reads.list_visible(
        session=session,
        viewer_id=org_id_of(who),
        network=network,
        filters=filters,
        after=after,
        limit=PAGE_SIZE + 1,
    )
    shown = rows[:PAGE_SIZE]
    summaries = [present.alert_summary(session, a, org_id_of(who), network) for a in shown]
    next_cursor = (
        encode_cursor(shown[-1].created_at, shown[-1].id) if len(rows) > PAGE_SIZE else None
    )
    template = "_inbox_rows.html" if request.headers.get("hx-request") else "inbox.html"
    cells = hooks.response_cells(state, session, org_id_of(who), [a.id for a in shown])
    return page(
        request,
        who,
        template,
        alerts=summaries,
        chosen=chosen,
        next_cursor=next_cursor,
        cells=cells,
        stream_url=STREAM_PATH if _has_stream(request) else "",
        categories=list(Category),
        severities=list(Severity),
        statuses=list(Status),
    )


def _visible(session: SessionDep, alert_id: uuid.UUID, who: Visitor, network: Network) -> Alert:
    return reads.get_visible(
        session=session, alert_id=alert_id, viewer_id=org_id_of(who), network=network
    )


@router.get("/alerts/{alert_id}/row")
def inbox_row(
    request: Request, alert_id: uuid.UUID, who: MemberDep, session: SessionDep,
    network: NetworkDep, state: StateDep,
) -> Response:  # fmt: skip
    """One inbox row, for the live inbox to insert when the stream announces an alert."""
    try:
        alert = _visible(session, alert_id, who, network)
    except NotFound:
        return not_found_page(request, who)
    summary = present.alert_summary(session, alert, org_id_of(who), network)
    cells = hooks.response_cells(state, session, org_id_of(who), [alert.id])
    return page(
        request, who, "_inbox_rows.html", alerts=[summary], next_cursor=None, chosen={}, cells=cells
    )


@router.get("/alerts/{alert_id}")
def alert_page(
    request: Request, alert_id: uuid.UUID, who: MemberDep, session: SessionDep,
    network: NetworkDep, state: StateDep,
) -> Response:  # fmt: skip
    """Every section of one alert, as this organisation may see it."""
    try:
        alert = _visible(session, alert_id, who, network)
        revisions = reads.revisions(
            session=session, alert_id=alert_id, viewer_id=org_id_of(who), network=network
        )
    except NotFound:
        return not_found_page(request, who)
    shown = present.alert_out(session, alert, org_id_of(who), network)
    history = [present.revision_out(session, alert, r, org_id_of(who), network) for r in revisions]
    differences = [
        (history[i], views.changes(history[i - 1].document, history[i].document) if i else [])
        for i in range(len(history))
    ]
    own = alert.source_org_id == org_id_of(who)
    return page(
        request,
        who,
        "alert.html",
        alert=shown,
        response_html=hooks.alert_response(
            state, session, principal_of(who), alert.id, who.csrf, who.language
        ),
        revisions=list(reversed(differences)),
        related=alert_intel.related(session, alert, org_id_of(who), network),
        sightings=alert_intel.sightings(session, alert),
        own=own,
        severities=list(Severity),
        can_write=own
        and bool(
            who.principal
            and who.principal.scopes
            and "write" in {s.value for s in who.principal.scopes}
        ),
    )


@router.get("/alerts/{alert_id}/indicators.csv")
def indicators_csv(
    request: Request, alert_id: uuid.UUID, who: MemberDep, session: SessionDep, network: NetworkDep
) -> Response:
    try:
        alert = _visible(session, alert_id, who, network)
    except NotFound:
        return not_found_page(request, who)
    rows = [(i.type.value, i.value, i.comment) for i in alert.indicators if i.withdrawn_at is None]
    headers = {
        "Content-Disposition": f'attachment; filename="tocsin-{alert.id}-indicators.csv"',
        "X-Content-Type-Options": "nosniff",
    }
    return Response(
        views.indicators_csv(rows), media_type="text/csv; charset=utf-8", headers=headers
    )


def _lifecycle(
    step: Callable[..., object], request: Request, alert_id: uuid.UUID, who: Visitor,
    session: Session, network: Network, now: datetime,
) -> Response:  # fmt: skip
    """Run one lifecycle step of an own alert, then back to its page, which shows where
    it stands (a double click meets a Conflict: nothing to say)."""
    principal = principal_of(who)
    principal.require_writer()
    try:
        step(session=session, alert_id=alert_id, org_id=principal.org_id, by=principal.actor,
             network=network, now=now)  # fmt: skip
    except NotFound:
        return not_found_page(request, who)
    except Conflict:
        pass
    return RedirectResponse(f"/alerts/{alert_id}", status_code=303)


@router.post("/alerts/{alert_id}/publish")
def publish(
    request: Request, alert_id: uuid.UUID, who: PostingMemberDep, session: SessionDep,
    network: NetworkDep, now: NowDep,
) -> Response:  # fmt: skip
    """Publish a draft of this organisation."""
    return _lifecycle(alerts_service.publish, request, alert_id, who, session, network, now)


@router.post("/alerts/{alert_id}/close")
def close(
    request: Request, alert_id: uuid.UUID, who: PostingMemberDep, session: SessionDep,
    network: NetworkDep, now: NowDep,
) -> Response:  # fmt: skip
    """Close a live alert of this organisation."""
    return _lifecycle(alerts_service.close, request, alert_id, who, session, network, now)


@router.post("/alerts/{alert_id}/update")
def post_update(
    request: Request, alert_id: uuid.UUID, who: PostingMemberDep, form: FormDep,
    session: SessionDep, network: NetworkDep, now: NowDep,
) -> Response:  # fmt: skip
    """As the source, publish what is new about a live alert as a new revision."""
    principal = principal_of(who)
    if not can_write(who):
        return refused_page(request, who)
    fields: dict[str, Any] = {"note": str(form.get("note") or "").strip() or None}
    if form.get("severity"):
        fields["severity"] = form.get("severity")
    try:
        if fields["note"] is None:
            raise InvalidInput.one("note", "say what is new")
        patch = AlertPatch.model_validate(fields)
        alerts_service.update(session=session, alert_id=alert_id, patch=patch,
                              org_id=principal.org_id, by=principal.actor, network=network,
                              now=now)  # fmt: skip
    except NotFound:
        return not_found_page(request, who)
    except ValidationError as exc:
        return page(request, who, "message.html", 422, message=str(exc.errors()[0]["msg"]))
    except (Conflict, InvalidInput) as refused:
        return page(request, who, "message.html", refused.status, message=refused.detail)
    return RedirectResponse(f"/alerts/{alert_id}#revisions", status_code=303)


TLP_CHOICES = list(TLP)
