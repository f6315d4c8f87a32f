"""The documents of an alert from its page: the printable sheet, and the staff notice or the
director's brief that the security officer reads, edits, downloads and records as sent."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from tocsin.briefing import service
from tocsin.briefing.api import DOCUMENT_CSP
from tocsin.briefing.schemas import Audience, DocumentFormat, Language, NoticeIn
from tocsin.deps import NowDep, SessionDep, SettingsDep
from tocsin.errors import InvalidInput, NotFound
from tocsin.network.auth import NetworkDep
from tocsin.web.auth import FormDep, MemberDep, PostingMemberDep, Visitor, can_write, principal_of
from tocsin.web.render import page

router = APIRouter(include_in_schema=False)


def _reader(who: Visitor, settings: SettingsDep) -> service.Reader:
    return service.Reader(principal=principal_of(who), language=who.language,
                          zone_name=settings.time_zone)  # fmt: skip


def _audience(raw: str | None) -> Audience:
    try:
        return Audience(raw or "staff")
    except ValueError:
        raise NotFound("no such document") from None


def _download(body: bytes, kind: DocumentFormat, name: str) -> Response:
    inline = kind is not DocumentFormat.pdf
    disposition = f'{"inline" if inline else "attachment"}; filename="{name}"'
    headers = {"Content-Disposition": disposition, "X-Content-Type-Options": "nosniff",
               "Cache-Control": "no-store", "Content-Security-Policy": DOCUMENT_CSP}  # fmt: skip
    return Response(body, media_type=service.MEDIA[kind], headers=headers)


@router.get("/alerts/{alert_id}/sheet.pdf")
def sheet(
    alert_id: uuid.UUID, who: MemberDep, session: SessionDep, network: NetworkDep,
    settings: SettingsDep, now: NowDep,
) -> Response:  # fmt: skip
    """The alert on paper, for the binder of the crisis cell."""
    body = service.sheet_pdf(session=session, alert_id=alert_id,
                             reader=_reader(who, settings), network=network, now=now)  # fmt: skip
    return _download(body, DocumentFormat.pdf, f"tocsin-{alert_id}-sheet.pdf")


@router.get("/alerts/{alert_id}/notice/file")
def notice_file(
    request: Request, alert_id: uuid.UUID, who: MemberDep, session: SessionDep,
    network: NetworkDep, settings: SettingsDep, now: NowDep,
) -> Response:  # fmt: skip
    """The notice or the brief as a poster (PDF), an intranet page (HTML) or a text."""
    try:
        fmt = DocumentFormat(request.query_params.get("format") or "pdf")
    except ValueError:
        raise NotFound("no such document") from None
    audience = _audience(request.query_params.get("audience"))
    body = service.notice_document(session=session, alert_id=alert_id,
                                   reader=_reader(who, settings), network=network, now=now,
                                   audience=audience, kind=fmt)  # fmt: skip
    return _download(body, fmt, f"tocsin-{alert_id}-{audience.value}.{fmt.value}")


@router.get("/alerts/{alert_id}/notice")
def notice_page(
    request: Request, alert_id: uuid.UUID, who: MemberDep, session: SessionDep,
    network: NetworkDep, settings: SettingsDep, now: NowDep,
) -> Response:  # fmt: skip
    """The notice in words the officer can edit before it goes out, and what was sent."""
    audience = _audience(request.query_params.get("audience"))
    text = service.notice_document(session=session, alert_id=alert_id,
                                   reader=_reader(who, settings), network=network, now=now,
                                   audience=audience, kind=DocumentFormat.txt).decode()  # fmt: skip
    sent = service.sent_notices(session=session, alert_id=alert_id,
                                org_id=principal_of(who).org_id)  # fmt: skip
    return page(request, who, "notice.html", alert_id=alert_id, audience=audience.value,
                text=text, sent=sent, can_send=can_write(who))  # fmt: skip


@router.post("/alerts/{alert_id}/notice")
def record_notice(
    request: Request, alert_id: uuid.UUID, who: PostingMemberDep, form: FormDep,
    session: SessionDep, network: NetworkDep, settings: SettingsDep, now: NowDep,
) -> Response:  # fmt: skip
    """Record the notice as it was sent to the staff (or handed to the director)."""
    audience = _audience(str(form.get("audience") or ""))
    language = Language(who.language) if who.language in ("fr", "en") else Language.fr
    try:
        notice = NoticeIn(audience=audience, language=language, text=str(form.get("text") or ""))
    except ValidationError:
        raise InvalidInput.one("text", "write the notice before recording it") from None
    service.record_sent(session=session, alert_id=alert_id, notice=notice,
                        reader=_reader(who, settings), network=network, now=now)  # fmt: skip
    return RedirectResponse(f"/alerts/{alert_id}/notice?audience={audience.value}#sent",
                            status_code=303)  # fmt: skip
