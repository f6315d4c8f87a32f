"""Pages of alerts: the inbox, one alert, its indicators as CSV, lifecycle buttons.

One alert is read through `publication.opening.open_alert`, as the API reads it (audited
when sensitive, marked received); changes go through `publication.service`.
"""

from __future__ import annotations

import contextlib
import uuid
from datetime import datetime
from typing import Any, Protocol

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from tocsin.alerts import present, reads
from tocsin.alerts.models import Alert
from tocsin.alerts.schemas import AlertPatch
from tocsin.alerts.vocab import Category, Severity, Status
from tocsin.audit.service import Actor
from tocsin.deps import NowDep, SessionDep, StateDep
from tocsin.errors import Conflict, InvalidInput
from tocsin.network.auth import NetworkDep
from tocsin.pagination import decode_cursor, encode_cursor
from tocsin.publication import service as publication
from tocsin.publication.opening import open_alert
from tocsin.responses import waiting
from tocsin.sharing.rules import Network
from tocsin.sharing.tlp import TLP
from tocsin.state import AppState
from tocsin.web import alert_intel, responding, timeline, views
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
from tocsin.web.render import page, refused_page

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 25
STREAM_PATH = "/api/v1/stream"


def _has_stream(state: AppState) -> bool:
    """The live inbox connects only where this node runs the live hub behind the stream."""
    return state.live_hub is not None


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
    next_cursor = (
        encode_cursor(shown[-1].created_at, shown[-1].id) if len(rows) > PAGE_SIZE else None
    )
    # Unacknowledged critical alerts open the first page whatever their age (unfiltered
    # inbox); the later pages leave them out, so no alert shows twice.
    pinned = [] if any(chosen.values()) else waiting.awaiting_acknowledgement(
        session=session, org_id=org_id_of(who), severity=Severity.critical, limit=PAGE_SIZE
    )  # fmt: skip
    pinned_ids = {a.id for a in pinned}
    shown = (pinned if cursor is None else []) + [a for a in shown if a.id not in pinned_ids]
    summaries = present.alert_summaries(session, list(shown), org_id_of(who), network)
    template = "_inbox_rows.html" if request.headers.get("hx-request") else "inbox.html"
    cells = responding.cells(session, state.settings, org_id_of(who), [a.id for a in shown])
    urgent = [a for a in summaries if responding.is_urgent(a.severity, a.status, cells.get(a.id))]
    return page(
        request,
        who,
        template,
        alerts=summaries,
        chosen=chosen,
        next_cursor=next_cursor,
        cells=cells,
        urgent=urgent,
        stream_url=STREAM_PATH if _has_stream(state) else "",
        categories=list(Category),
        severities=list(Severity),
        statuses=list(Status),
    )


def _opened(
    session: Session, alert_id: uuid.UUID, who: Visitor, network: Network, now: datetime,
    door: str,
) -> Alert:  # fmt: skip
    principal = principal_of(who)
    return open_alert(session=session, alert_id=alert_id, viewer_id=principal.org_id,
                      by=principal.actor, network=network, now=now, door=door)  # fmt: skip


@router.get("/alerts/{alert_id}/row")
def inbox_row(
    request: Request, alert_id: uuid.UUID, who: MemberDep, session: SessionDep,
    network: NetworkDep, state: StateDep,
) -> Response:  # fmt: skip
    """One inbox row, for the live inbox to insert when the stream announces an alert."""
    alert = reads.get_visible(
        session=session, alert_id=alert_id, viewer_id=org_id_of(who), network=network
    )
    summary = present.alert_summary(session, alert, org_id_of(who), network)
    cells = responding.cells(session, state.settings, org_id_of(who), [alert.id])
    return page(
        request, who, "_inbox_rows.html", alerts=[summary], next_cursor=None, chosen={}, cells=cells
    )


@router.get("/alerts/{alert_id}")
def alert_page(
    request: Request, alert_id: uuid.UUID, who: MemberDep, session: SessionDep,
    network: NetworkDep, state: StateDep, now: NowDep,
) -> Response:  # fmt: skip
    """Every section of one alert, as this organisation may see it."""
    alert = _opened(session, alert_id, who, network, now, "page")
    revisions = reads.revisions(session=session, alert=alert)
    shown = present.alert_out(session, alert, org_id_of(who), network)
    history = [present.revision_out(session, alert, r, org_id_of(who), network) for r in revisions]
    differences = [
        (history[i], views.changes(history[i - 1].document, history[i].document) if i else [])
        for i in range(len(history))
    ]
    own = alert.source_org_id == org_id_of(who)
    response = responding.section(session, state.settings, principal_of(who), alert)
    urgent = response is not None and response.live and response.row.acknowledged_at is None \
        and alert.severity is Severity.critical  # fmt: skip
    return page(
        request,
        who,
        "alert.html",
        alert=shown,
        response=response,
        urgent=urgent,
        stream_url=STREAM_PATH if _has_stream(state) else "",
        revisions=timeline.entries(differences, translations(who.language).gettext),
        related=alert_intel.related(session, alert, org_id_of(who), network),
        sightings=alert_intel.sightings(session, alert),
        held_back=alert_intel.held_back(session, alert),
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
    alert_id: uuid.UUID, who: MemberDep, session: SessionDep, network: NetworkDep, now: NowDep
) -> Response:
    """The alert's indicators as a spreadsheet."""
    alert = _opened(session, alert_id, who, network, now, "csv")
    rows = [(i.type.value, i.value, i.comment) for i in alert.indicators if i.withdrawn_at is None]
    headers = {
        "Content-Disposition": f'attachment; filename="tocsin-{alert.id}-indicators.csv"',
        "X-Content-Type-Options": "nosniff",
    }
    return Response(
        views.indicators_csv(rows), media_type="text/csv; charset=utf-8", headers=headers
    )


class LifecycleStep(Protocol):
    """A step of `publication.service` that needs no more than who asks it (publish, close)."""

    def __call__(
        self, *, session: Session, alert_id: uuid.UUID, org_id: uuid.UUID, by: Actor,
        network: Network, now: datetime,
    ) -> Alert: ...  # fmt: skip


def _lifecycle(
    step: LifecycleStep, alert_id: uuid.UUID, who: Visitor,
    session: Session, network: Network, now: datetime,
) -> Response:  # fmt: skip
    """Run one lifecycle step of an own alert, then back to its page, which shows where
    it stands (a double click meets a Conflict: nothing to say)."""
    principal = principal_of(who)
    principal.require_writer()
    with contextlib.suppress(Conflict):
        step(session=session, alert_id=alert_id, org_id=principal.org_id, by=principal.actor,
             network=network, now=now)  # fmt: skip
    return RedirectResponse(f"/alerts/{alert_id}", status_code=303)


@router.post("/alerts/{alert_id}/publish")
def publish(
    alert_id: uuid.UUID, who: PostingMemberDep, session: SessionDep,
    network: NetworkDep, now: NowDep,
) -> Response:  # fmt: skip
    """Publish a draft of this organisation."""
    return _lifecycle(publication.publish, alert_id, who, session, network, now)


@router.post("/alerts/{alert_id}/close")
def close(
    alert_id: uuid.UUID, who: PostingMemberDep, session: SessionDep,
    network: NetworkDep, now: NowDep,
) -> Response:  # fmt: skip
    """Close a live alert of this organisation."""
    return _lifecycle(publication.close, alert_id, who, session, network, now)


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
    if fields["note"] is None:
        raise InvalidInput.one("note", "say what is new")
    try:
        patch = AlertPatch.model_validate(fields)
    except ValidationError as exc:
        raise InvalidInput.one("severity", str(exc.errors()[0]["msg"])) from None
    publication.update(session=session, alert_id=alert_id, patch=patch, org_id=principal.org_id,
                       by=principal.actor, network=network, now=now)  # fmt: skip
    return RedirectResponse(f"/alerts/{alert_id}#revisions", status_code=303)


TLP_CHOICES = list(TLP)
