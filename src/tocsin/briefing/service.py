"""The documents of an alert for one reader, and the notices it sent. Never commits."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tocsin.alerts import present
from tocsin.alerts.schemas import AlertOut
from tocsin.audit.service import record as audit
from tocsin.briefing import content, render
from tocsin.briefing.models import SentNotice
from tocsin.briefing.schemas import Audience, DocumentFormat, NoticeIn
from tocsin.errors import Forbidden
from tocsin.indicators.normalize import defang
from tocsin.indicators.types import IndicatorError
from tocsin.network import service as network_service
from tocsin.network.principal import Principal
from tocsin.oncall import service as oncall
from tocsin.publication.opening import open_alert
from tocsin.sharing.rules import Network
from tocsin.sharing.tlp import TLP

MEDIA = {DocumentFormat.html: "text/html; charset=utf-8", DocumentFormat.pdf: "application/pdf",
         DocumentFormat.txt: "text/plain; charset=utf-8"}  # fmt: skip


@dataclass(frozen=True)
class Reader:
    """Who asks for a document, in which language, on which clock."""

    principal: Principal
    language: str
    zone_name: str


def language_of(*, session: Session, principal: Principal, asked: str | None, fallback: str) -> str:
    """The language asked, else the person's, else the hub's."""
    if asked in ("fr", "en"):
        return asked
    if principal.user_id is not None:
        user = network_service.get_user(session=session, user_id=principal.user_id)
        if user.language in ("fr", "en"):
            return user.language
    return fallback if fallback in ("fr", "en") else "fr"


def _opened(
    session: Session, alert_id: uuid.UUID, reader: Reader, network: Network, now: datetime,
    door: str,
) -> AlertOut:  # fmt: skip
    principal = reader.principal
    alert = open_alert(session=session, alert_id=alert_id, viewer_id=principal.org_id,
                       by=principal.actor, network=network, now=now, door=door)  # fmt: skip
    return present.alert_out(session, alert, principal.org_id, network)


def _callers(session: Session, org_id: uuid.UUID) -> list[content.Caller]:
    return [content.Caller(name=c.name, role=c.role, phone=c.phone, hours=c.hours)
            for c in oncall.contacts_of(session=session, org_id=org_id)]  # fmt: skip


def _defanged(alert: AlertOut) -> list[tuple[str, str, str | None]]:
    rows = []
    for i in alert.indicators:
        try:
            value = defang(i.value, i.type)
        except IndicatorError:
            value = i.value
        rows.append((i.type.value, value, i.comment))
    return rows


def sheet_pdf(
    *, session: Session, alert_id: uuid.UUID, reader: Reader, network: Network, now: datetime
) -> bytes:
    """The printable A4 sheet of an alert for this reader."""
    alert = _opened(session, alert_id, reader, network, now, "sheet")
    facts = content.facts_of(alert, language=reader.language, zone_name=reader.zone_name)
    brief = content.director_brief(alert, language=reader.language, zone_name=reader.zone_name)
    html = render.sheet(
        facts, TLP(alert.tlp), summary=alert.summary, care=brief.care,
        indicators=_defanged(alert), measures=brief.measures,
        callers=_callers(session, reader.principal.org_id),
    )  # fmt: skip
    return render.pdf(html)


def notice_document(
    *, session: Session, alert_id: uuid.UUID, reader: Reader, network: Network, now: datetime,
    audience: Audience, kind: DocumentFormat,
) -> bytes:  # fmt: skip
    """The staff notice or the director's brief, as HTML, plain text or PDF."""
    alert = _opened(session, alert_id, reader, network, now, f"notice.{audience.value}")
    tlp = TLP(alert.tlp)
    text_kind = "txt" if kind is DocumentFormat.txt else "html"
    if audience is Audience.staff:
        if tlp is TLP.red:
            raise Forbidden("a TLP:RED alert is for named people only: it cannot become a "
                            "notice to all staff")  # fmt: skip
        made = content.staff_notice(alert, language=reader.language, zone_name=reader.zone_name,
                                    callers=_callers(session, reader.principal.org_id))  # fmt: skip
        document = render.notice(made, tlp, text_kind)
    else:
        brief = content.director_brief(alert, language=reader.language,
                                       zone_name=reader.zone_name)  # fmt: skip
        document = render.brief(brief, tlp, text_kind)
    return render.pdf(document) if kind is DocumentFormat.pdf else document.encode()


def record_sent(
    *, session: Session, alert_id: uuid.UUID, notice: NoticeIn, reader: Reader,
    network: Network, now: datetime,
) -> SentNotice:  # fmt: skip
    """Keep the notice as it was sent (the officer edited it), audited."""
    principal = reader.principal
    alert = _opened(session, alert_id, reader, network, now, "notice.sent")
    principal.require_writer()
    if notice.audience is Audience.staff and TLP(alert.tlp) is TLP.red:
        raise Forbidden("a TLP:RED alert cannot become a notice to all staff")
    row = SentNotice(alert_id=alert_id, org_id=principal.org_id, audience=notice.audience.value,
                     language=notice.language.value, text=notice.text,
                     sent_by_user_id=principal.user_id, sent_at=now)  # fmt: skip
    session.add(row)
    session.flush()
    audit(session=session, actor=principal.actor, action="notice.sent", target_type="alert",
          target_id=alert_id, at=now, concerns=[principal.org_id],
          details={"audience": notice.audience.value, "notice_id": str(row.id)})  # fmt: skip
    return row


def sent_notices(*, session: Session, alert_id: uuid.UUID, org_id: uuid.UUID) -> list[SentNotice]:
    """What this organisation sent about the alert, newest first."""
    query = (
        select(SentNotice)
        .where(SentNotice.alert_id == alert_id, SentNotice.org_id == org_id)
        .order_by(SentNotice.sent_at.desc())
    )
    return list(session.scalars(query))
