"""Routes of declarations: declare, read, edit, qualify, incident log, regulatory export."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import HTMLResponse, Response

from tocsin.alerts import present as alerts_present
from tocsin.alerts.schemas import AlertOut
from tocsin.deps import NowDep, SessionDep, SettingsDep
from tocsin.network.auth import NetworkDep, PrincipalDep
from tocsin.network.models import Role, Scope
from tocsin.pagination import decode_cursor, encode_cursor
from tocsin.relay import deadlines, incident_log, present, publishing, regulatory, service
from tocsin.relay.schemas import (
    ApplyIn,
    DeclarationIn,
    DeclarationOut,
    DeclarationPatch,
    DeclarationSummary,
    HistoryOut,
    LogEntryIn,
    LogEntryOut,
    ProposalOut,
    QualifyIn,
    ResolutionIn,
    TickIn,
)
from tocsin.relay.vocab import DeclarationStatus
from tocsin.schemas_common import PROBLEM_RESPONSES, Page
from tocsin.settings import Settings

router = APIRouter(
    prefix="/api/v1/declarations", tags=["declarations"], responses=PROBLEM_RESPONSES
)

# Relays' security officers act as analysts: in small ARS and GHT teams they are the same.
RELAY_ANALYST_ROLES = (Role.analyst, Role.security_officer)


def _policy(settings: Settings) -> deadlines.DeadlinePolicy:
    return deadlines.from_minutes(
        critical=settings.relay_deadline_critical_minutes,
        high=settings.relay_deadline_high_minutes,
        medium=settings.relay_deadline_medium_minutes,
    )


@router.post("", response_model=DeclarationOut, status_code=status.HTTP_201_CREATED)
def declare(
    body: DeclarationIn,
    principal: PrincipalDep,
    session: SessionDep,
    network: NetworkDep,
    settings: SettingsDep,
    now: NowDep,
) -> DeclarationOut:
    """Declare an incident of your establishment; its relays see it at once."""
    principal.require_writer()
    declaration = service.declare(
        session=session,
        content=body,
        org_id=principal.org_id,
        by=principal.actor,
        network=network,
        policy=_policy(settings),
        now=now,
    )
    return present.declaration_out(session, declaration)


@router.get("", response_model=Page[DeclarationSummary])
def list_declarations(
    principal: PrincipalDep,
    session: SessionDep,
    network: NetworkDep,
    settings: SettingsDep,
    status: DeclarationStatus | None = None,
    cursor: str | None = None,
    limit: int = Query(default=50, ge=1, le=1000),
) -> Page[DeclarationSummary]:
    """Declarations of your establishment or of those you relay, newest first."""
    principal.require_scope(Scope.read)
    limit = min(limit, settings.page_size_max)
    after = decode_cursor(cursor, as_datetime=True) if cursor else None
    rows = service.list_visible(
        session=session,
        viewer_id=principal.org_id,
        network=network,
        status=status,
        after=after,
        limit=limit + 1,
    )
    page = rows[:limit]
    return Page(
        items=[present.declaration_summary(session, d) for d in page],
        next=encode_cursor(page[-1].created_at, page[-1].id) if len(rows) > limit else None,
    )


@router.get("/{declaration_id}", response_model=DeclarationOut)
def get_declaration(
    declaration_id: uuid.UUID, principal: PrincipalDep, session: SessionDep, network: NetworkDep
) -> DeclarationOut:
    principal.require_scope(Scope.read)
    declaration = service.get_visible(
        session=session, declaration_id=declaration_id, viewer_id=principal.org_id, network=network
    )
    return present.declaration_out(session, declaration)


@router.patch("/{declaration_id}", response_model=DeclarationOut)
def edit_declaration(
    declaration_id: uuid.UUID,
    body: DeclarationPatch,
    principal: PrincipalDep,
    session: SessionDep,
    network: NetworkDep,
    settings: SettingsDep,
    now: NowDep,
) -> DeclarationOut:
    """Complete or correct your declaration; once published, relays get a pending revision."""
    principal.require_writer()
    declaration, changed = service.edit(
        session=session,
        declaration_id=declaration_id,
        patch=body,
        org_id=principal.org_id,
        by=principal.actor,
        network=network,
        policy=_policy(settings),
        now=now,
    )
    publishing.propose(
        session=session,
        declaration=declaration,
        changed=changed,
        note=body.note,
        network=network,
        now=now,
    )
    return present.declaration_out(session, declaration)


@router.get("/{declaration_id}/history", response_model=list[HistoryOut])
def declaration_history(
    declaration_id: uuid.UUID, principal: PrincipalDep, session: SessionDep, network: NetworkDep
) -> list[HistoryOut]:
    """Every version of the declaration, oldest first."""
    principal.require_scope(Scope.read)
    rows = service.history(
        session=session, declaration_id=declaration_id, viewer_id=principal.org_id, network=network
    )
    return [present.history_out(r) for r in rows]


@router.post("/{declaration_id}/qualify", response_model=DeclarationOut)
def qualify_declaration(
    declaration_id: uuid.UUID,
    body: QualifyIn,
    principal: PrincipalDep,
    session: SessionDep,
    network: NetworkDep,
    now: NowDep,
) -> DeclarationOut:
    """As a relay analyst, publish your shareable version of the declaration as an alert."""
    principal.require_writer()
    principal.require_role(*RELAY_ANALYST_ROLES)
    declaration = publishing.qualify(
        session=session,
        declaration_id=declaration_id,
        choice=body,
        relay_org_id=principal.org_id,
        by=principal.actor,
        network=network,
        now=now,
    )
    return present.declaration_out(session, declaration)


@router.get("/{declaration_id}/proposals", response_model=list[ProposalOut])
def list_proposals(
    declaration_id: uuid.UUID, principal: PrincipalDep, session: SessionDep, network: NetworkDep
) -> list[ProposalOut]:
    """The declarant's changes after publication, pending or applied to the alert."""
    principal.require_scope(Scope.read)
    rows = publishing.proposals(
        session=session, declaration_id=declaration_id, viewer_id=principal.org_id, network=network
    )
    return [present.proposal_out(r) for r in rows]


@router.post("/{declaration_id}/proposals/{proposal_id}/apply", response_model=AlertOut)
def apply_proposal(
    declaration_id: uuid.UUID,
    proposal_id: uuid.UUID,
    principal: PrincipalDep,
    session: SessionDep,
    network: NetworkDep,
    now: NowDep,
    body: ApplyIn | None = None,
) -> AlertOut:
    """As the publishing relay, publish a pending revision as an update of the alert."""
    principal.require_writer()
    principal.require_role(*RELAY_ANALYST_ROLES)
    alert = publishing.apply_proposal(
        session=session,
        declaration_id=declaration_id,
        proposal_id=proposal_id,
        choice=body or ApplyIn(),
        relay_org_id=principal.org_id,
        by=principal.actor,
        network=network,
        now=now,
    )
    return alerts_present.alert_out(session, alert, principal.org_id, network)


@router.post("/{declaration_id}/close", response_model=DeclarationOut)
def close_declaration(
    declaration_id: uuid.UUID,
    body: ResolutionIn,
    principal: PrincipalDep,
    session: SessionDep,
    network: NetworkDep,
    now: NowDep,
) -> DeclarationOut:
    """Close the incident with its resolution (the follow-up regulatory declaration)."""
    principal.require_writer()
    declaration = service.close(
        session=session,
        declaration_id=declaration_id,
        resolution=body,
        org_id=principal.org_id,
        by=principal.actor,
        network=network,
        now=now,
    )
    return present.declaration_out(session, declaration)


@router.get("/{declaration_id}/log", response_model=list[LogEntryOut])
def list_log(
    declaration_id: uuid.UUID, principal: PrincipalDep, session: SessionDep, network: NetworkDep
) -> list[LogEntryOut]:
    """The incident log (main courante), in the order things happened."""
    principal.require_scope(Scope.read)
    rows = incident_log.entries(
        session=session, declaration_id=declaration_id, viewer_id=principal.org_id, network=network
    )
    return [present.log_entry_out(session, r) for r in rows]


@router.post("/{declaration_id}/log", response_model=LogEntryOut, status_code=201)
def add_log_entry(
    declaration_id: uuid.UUID,
    body: LogEntryIn,
    principal: PrincipalDep,
    session: SessionDep,
    network: NetworkDep,
    now: NowDep,
) -> LogEntryOut:
    """Add an entry to the incident log; anyone in the crisis cell may."""
    principal.require_writer()
    row = incident_log.add_entry(
        session=session,
        declaration_id=declaration_id,
        entry=body,
        org_id=principal.org_id,
        by=principal.actor,
        network=network,
        now=now,
    )
    return present.log_entry_out(session, row)


@router.post("/{declaration_id}/checklist/{item}", response_model=DeclarationOut)
def tick_checklist(
    declaration_id: uuid.UUID,
    item: str,
    principal: PrincipalDep,
    session: SessionDep,
    network: NetworkDep,
    now: NowDep,
    body: TickIn | None = None,
) -> DeclarationOut:
    """Tick (or, with done=false, untick) an item of the first-response checklist."""
    principal.require_writer()
    declaration = incident_log.tick(
        session=session,
        declaration_id=declaration_id,
        key=item,
        change=body or TickIn(),
        org_id=principal.org_id,
        by=principal.actor,
        network=network,
        now=now,
    )
    return present.declaration_out(session, declaration)


@router.get(
    "/{declaration_id}/regulatory",
    response_model=regulatory.RegulatoryOut,
    responses={200: {"content": {"text/html": {}}}},
)
def regulatory_export(
    declaration_id: uuid.UUID,
    request: Request,
    principal: PrincipalDep,
    session: SessionDep,
    network: NetworkDep,
    now: NowDep,
    format: str | None = Query(default=None, pattern="^(json|html)$"),
) -> Response:
    """The declaration in the regulator's four blocks and the obligations it triggers, as
    JSON or as a printable page (`?format=html` or `Accept: text/html`)."""
    principal.require_scope(Scope.read)
    declaration = service.get_visible(
        session=session, declaration_id=declaration_id, viewer_id=principal.org_id, network=network
    )
    report = regulatory.export(session, declaration, now)
    wants_html = format == "html" or (
        format is None and "text/html" in request.headers.get("accept", "")
    )
    if wants_html:
        return HTMLResponse(regulatory.render_html(report))
    return Response(report.model_dump_json(), media_type="application/json")
