"""Routes of the documents of an alert: the sheet, the staff notice, the director's brief."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Query, status
from fastapi.responses import Response

from tocsin.alerts import reads
from tocsin.briefing import service
from tocsin.briefing.schemas import Audience, DocumentFormat, Language, NoticeIn, NoticeOut
from tocsin.deps import NowDep, SessionDep, SettingsDep
from tocsin.network.auth import NetworkDep, PrincipalDep
from tocsin.network.models import Scope
from tocsin.network.principal import Principal
from tocsin.schemas_common import PROBLEM_RESPONSES
from tocsin.settings import Settings

router = APIRouter(prefix="/api/v1", tags=["documents"], responses=PROBLEM_RESPONSES)

PDF: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {}}, "description": "an A4 PDF document"}
}
DOCUMENT: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {}, "text/html": {}, "text/plain": {}},
          "description": "the document in the format asked"}
}  # fmt: skip


def _reader(
    principal: Principal, session: SessionDep, settings: Settings, lang: Language | None
) -> service.Reader:
    principal.require_scope(Scope.read)
    asked = lang.value if lang else None
    language = service.language_of(
        session=session, principal=principal, asked=asked, fallback=settings.language
    )
    return service.Reader(principal=principal, language=language, zone_name=settings.time_zone)


# A document, not a page: nothing in it may run or load.
DOCUMENT_CSP = "default-src 'none'; style-src 'unsafe-inline'"


def _file(body: bytes, media: str, name: str, inline: bool) -> Response:
    disposition = f'{"inline" if inline else "attachment"}; filename="{name}"'
    headers = {"Content-Disposition": disposition, "X-Content-Type-Options": "nosniff",
               "Content-Security-Policy": DOCUMENT_CSP}  # fmt: skip
    return Response(body, media_type=media, headers=headers)


@router.get("/alerts/{alert_id}/sheet.pdf", response_class=Response, responses=PDF)
def sheet(
    alert_id: uuid.UUID, principal: PrincipalDep, session: SessionDep, network: NetworkDep,
    settings: SettingsDep, now: NowDep, lang: Language | None = None,
) -> Response:  # fmt: skip
    """The alert on one or two A4 pages to print: TLP on every page, indicators defanged,
    countermeasures as a checklist, and who to call in your organisation."""
    reader = _reader(principal, session, settings, lang)
    body = service.sheet_pdf(session=session, alert_id=alert_id, reader=reader,
                             network=network, now=now)  # fmt: skip
    return _file(body, "application/pdf", f"tocsin-{alert_id}-sheet.pdf", inline=False)


@router.get("/alerts/{alert_id}/notice", response_class=Response, responses=DOCUMENT)
def notice(
    alert_id: uuid.UUID, principal: PrincipalDep, session: SessionDep, network: NetworkDep,
    settings: SettingsDep, now: NowDep,
    audience: Audience = Query(default=Audience.staff),
    format: DocumentFormat = Query(default=DocumentFormat.html),
    lang: Language | None = None,
) -> Response:  # fmt: skip
    """In plain words: for every employee (what to do now; never for TLP:RED) or for the
    director (what happened, impact on care, decisions needed)."""
    reader = _reader(principal, session, settings, lang)
    body = service.notice_document(
        session=session, alert_id=alert_id, reader=reader, network=network, now=now,
        audience=audience, kind=format,
    )  # fmt: skip
    name = f"tocsin-{alert_id}-{audience.value}.{format.value}"
    return _file(body, service.MEDIA[format], name, inline=format is not DocumentFormat.pdf)


@router.post("/alerts/{alert_id}/notices", response_model=NoticeOut,
             status_code=status.HTTP_201_CREATED)  # fmt: skip
def record_notice(
    alert_id: uuid.UUID, body: NoticeIn, principal: PrincipalDep, session: SessionDep,
    network: NetworkDep, settings: SettingsDep, now: NowDep,
) -> NoticeOut:  # fmt: skip
    """Record the notice as your security officer edited and sent it."""
    reader = _reader(principal, session, settings, body.language)
    row = service.record_sent(session=session, alert_id=alert_id, notice=body, reader=reader,
                              network=network, now=now)  # fmt: skip
    return NoticeOut.model_validate(row)


@router.get("/alerts/{alert_id}/notices", response_model=list[NoticeOut])
def list_notices(
    alert_id: uuid.UUID, principal: PrincipalDep, session: SessionDep, network: NetworkDep
) -> list[NoticeOut]:
    """The notices your organisation sent about this alert, newest first."""
    principal.require_scope(Scope.read)
    reads.get_visible(session=session, alert_id=alert_id, viewer_id=principal.org_id,
                      network=network)  # fmt: skip
    rows = service.sent_notices(session=session, alert_id=alert_id, org_id=principal.org_id)
    return [NoticeOut.model_validate(r) for r in rows]
