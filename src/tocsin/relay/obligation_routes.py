"""Routes of a declaration's regulatory steps: list, submit, documents, the trail file."""

from __future__ import annotations

import json
import uuid
from typing import Literal

from fastapi import APIRouter, BackgroundTasks, Query
from fastapi.responses import HTMLResponse, Response

from tocsin.briefing.render import pdf
from tocsin.deps import NowDep, SessionDep, SettingsDep, StateDep
from tocsin.network.auth import NetworkDep, PrincipalDep
from tocsin.network.models import Scope
from tocsin.obligations.schemas import ObligationOut, SubmissionIn
from tocsin.relay import affected_notice, filings, regulation, service
from tocsin.schemas_common import PROBLEM_RESPONSES

router = APIRouter(prefix="/api/v1/declarations", tags=["obligations"], responses=PROBLEM_RESPONSES)


@router.get("/{declaration_id}/obligations", response_model=list[ObligationOut])
def list_obligations(
    declaration_id: uuid.UUID,
    principal: PrincipalDep,
    session: SessionDep,
    network: NetworkDep,
    now: NowDep,
) -> list[ObligationOut]:
    """The NIS2, CNIL and ARS steps the incident calls for, with their clocks (crisis cell)."""
    principal.require_scope(Scope.read)
    declaration = service.get_visible(
        session=session, declaration_id=declaration_id, viewer_id=principal.org_id, network=network
    )
    return regulation.listed(session=session, declaration=declaration, now=now)


@router.post("/{declaration_id}/obligations/{obligation_id}/submit", response_model=ObligationOut)
def submit_obligation(
    declaration_id: uuid.UUID,
    obligation_id: uuid.UUID,
    body: SubmissionIn,
    principal: PrincipalDep,
    session: SessionDep,
    network: NetworkDep,
    now: NowDep,
) -> ObligationOut:
    """Record that the step was sent to its regulator; a late step needs `late_reason`."""
    principal.require_writer()
    return regulation.submit(
        session=session, declaration_id=declaration_id, obligation_id=obligation_id,
        body=body, org_id=principal.org_id, by=principal.actor, network=network, now=now,
    )  # fmt: skip


@router.get(
    "/{declaration_id}/obligations/{obligation_id}/document",
    responses={200: {"content": {"application/pdf": {}, "text/html": {}}}},
)
def obligation_document(
    declaration_id: uuid.UUID,
    obligation_id: uuid.UUID,
    principal: PrincipalDep,
    session: SessionDep,
    network: NetworkDep,
    settings: SettingsDep,
    now: NowDep,
    format: Literal["pdf", "html", "json"] = Query(default="json"),
) -> Response:
    """The step's document, pre-filled in the regulator's structure, in French."""
    principal.require_scope(Scope.read)
    declaration = service.get_visible(
        session=session, declaration_id=declaration_id, viewer_id=principal.org_id, network=network
    )
    document = regulation.document(
        session=session, declaration=declaration, obligation_id=obligation_id,
        zone=settings.time_zone, now=now,
    )  # fmt: skip
    if format == "json":
        return Response(json.dumps(document, ensure_ascii=False), media_type="application/json")
    html = filings.render_html(document)
    if format == "html":
        return HTMLResponse(html)
    name = f"{document['régime']}-{document['étape']}-{declaration_id}.pdf"
    return Response(pdf(html), media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})  # fmt: skip


@router.get("/{declaration_id}/regulatory-trail")
def regulatory_trail(
    declaration_id: uuid.UUID,
    principal: PrincipalDep,
    session: SessionDep,
    network: NetworkDep,
    now: NowDep,
) -> Response:
    """The incident's regulatory trail as one JSON file: steps, submissions, audit records."""
    principal.require_scope(Scope.read)
    declaration = service.get_visible(
        session=session, declaration_id=declaration_id, viewer_id=principal.org_id, network=network
    )
    body = json.dumps(regulation.trail(session=session, declaration=declaration, now=now),
                      ensure_ascii=False, indent=2)  # fmt: skip
    name = f"regulatory-trail-{declaration_id}.json"
    disposition = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(body, media_type="application/json", headers=disposition)


@router.get("/{declaration_id}/affected-notice", response_model=affected_notice.AffectedNoticeDraft)
def affected_notice_draft(
    declaration_id: uuid.UUID,
    principal: PrincipalDep,
    session: SessionDep,
    network: NetworkDep,
    settings: SettingsDep,
    now: NowDep,
    audience: affected_notice.Audience = Query(default="people"),
) -> affected_notice.AffectedNoticeDraft:
    """A draft notice to the people (GDPR art. 34) or services (NIS2 art. 23(1)) affected."""
    principal.require_scope(Scope.read)
    declaration = service.get_visible(
        session=session, declaration_id=declaration_id, viewer_id=principal.org_id, network=network
    )
    return affected_notice.draft(
        session=session,
        declaration=declaration,
        audience=audience,
        zone=settings.time_zone,
        now=now,
    )


@router.post("/{declaration_id}/affected-notice", response_model=affected_notice.AffectedNoticeOut)
def send_affected_notice(
    declaration_id: uuid.UUID,
    body: affected_notice.AffectedNoticeIn,
    principal: PrincipalDep,
    session: SessionDep,
    network: NetworkDep,
    state: StateDep,
    now: NowDep,
    background: BackgroundTasks,
) -> affected_notice.AffectedNoticeOut:
    """Send the edited notice by e-mail from the hub; it is recorded as the step it fulfils."""
    principal.require_writer()
    out, messages = affected_notice.send(
        session=session, declaration_id=declaration_id, body=body, org_id=principal.org_id,
        by=principal.actor, network=network, sender=state.settings.mail_from, now=now,
    )  # fmt: skip
    if state.mailer is not None:  # after the commit: the record says what was sent
        for message in messages:
            background.add_task(state.mailer.send, message)
    return out
