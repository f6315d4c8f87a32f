"""The notice to the people and services an incident may affect (NIS2 art. 23(1) second
paragraph: the recipients of the entity's services; GDPR art. 34: the data subjects when
the risk to them is high): a draft in French from the declaration, edited by the declarant,
sent from the hub by e-mail, and recorded as the submission of the matching step."""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime
from email.message import EmailMessage
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field
from sqlalchemy.orm import Session

from tocsin.audit.service import Actor
from tocsin.errors import InvalidInput
from tocsin.localtime import moment_text
from tocsin.network.models import Organisation
from tocsin.obligations import service as obligations
from tocsin.obligations.models import RegulatoryObligation
from tocsin.obligations.schemas import ObligationOut, SubmissionIn
from tocsin.relay import service
from tocsin.relay.models import Declaration
from tocsin.sharing.rules import Network

Audience = Literal["services", "people"]
STEPS: dict[str, tuple[str, str]] = {
    "services": ("nis2", "recipients_notice"),
    "people": ("cnil", "data_subjects"),
}


class AffectedNoticeIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    audience: Audience = Field(description="services (NIS2 art. 23(1)) or people (GDPR art. 34)")
    subject: str = Field(min_length=1, max_length=200)
    text: str = Field(min_length=1, max_length=20_000, description="the notice as edited")
    recipients: list[EmailStr] = Field(min_length=1, max_length=500)


class AffectedNoticeDraft(BaseModel):
    audience: Audience
    obligation_id: uuid.UUID | None = Field(description="the step the notice fulfils, if any")
    subject: str
    text: str


class AffectedNoticeOut(BaseModel):
    obligation: ObligationOut
    recipients: int
    text_sha256: str


def _step(
    session: Session, declaration: Declaration, audience: str, now: datetime
) -> RegulatoryObligation | None:
    """The step the notice fulfils, the steps first brought in line (a status may have
    changed since the declaration did)."""
    regime, step = STEPS[audience]
    rows = obligations.refresh(session=session, incident=service.incident_of(declaration), now=now)
    found = [r for r in rows if (r.regime, r.step) == (regime, step) and r.applicable]
    return found[0] if found else None


def _text(declaration: Declaration, org: str, audience: str, zone: str) -> str:
    impacts: dict[str, Any] = declaration.impacts or {}
    when = moment_text(declaration.aware_at or declaration.created_at, zone_name=zone,
                       language="fr")  # fmt: skip
    measures = "; ".join(c.get("action", "") for c in declaration.countermeasures or []) or (
        "en cours de définition"
    )
    contact = (declaration.identity or {}).get("declarant", {}) or {}
    reach = ", ".join(v for v in (contact.get("email"), contact.get("phone")) if v) or org
    if audience == "people":
        categories = ", ".join(impacts.get("personal_data_categories") or []) or "à préciser"
        harm = impacts.get("on_persons") or "en cours d'évaluation"
        return (
            f"Madame, Monsieur,\n\n{org} a constaté le {when} un incident de sécurité "
            f"informatique susceptible d'avoir exposé des données personnelles vous concernant "
            f"({categories}).\n\nConséquences possibles pour vous : {harm}.\n\nMesures prises : "
            f"{measures}.\n\nNous vous recommandons la vigilance face aux messages ou appels "
            f"inattendus se réclamant de l'établissement.\n\nContact : {reach}.\n"
        )
    perimeter = (declaration.description or {}).get("perimeter") or "en cours d'évaluation"
    return (
        f"Madame, Monsieur,\n\n{org} a constaté le {when} un incident de sécurité informatique "
        f"susceptible d'affecter les services que nous vous fournissons (périmètre : "
        f"{perimeter}).\n\nMesures prises de notre côté : {measures}.\n\nNous vous invitons à "
        f"vérifier vos échanges récents avec nos systèmes et à nous signaler toute anomalie."
        f"\n\nContact : {reach}.\n"
    )


def draft(
    *, session: Session, declaration: Declaration, audience: Audience, zone: str, now: datetime
) -> AffectedNoticeDraft:
    """A first text from the declaration, for the declarant to edit."""
    org = session.get(Organisation, declaration.org_id)
    name = org.name if org else "L'établissement"
    step = _step(session, declaration, audience, now)
    return AffectedNoticeDraft(
        audience=audience, obligation_id=step.id if step else None,
        subject=f"Information sur un incident de sécurité – {name}",
        text=_text(declaration, name, audience, zone),
    )  # fmt: skip


def send(
    *,
    session: Session,
    declaration_id: uuid.UUID,
    body: AffectedNoticeIn,
    org_id: uuid.UUID,
    by: Actor,
    network: Network,
    sender: str,
    now: datetime,
) -> tuple[AffectedNoticeOut, list[EmailMessage]]:
    """Record the notice as the step it fulfils (audited) and return the e-mails to send once
    that is committed. Refused, with nothing recorded, when no such step applies."""
    declaration = service.get_own(
        session=session, declaration_id=declaration_id, org_id=org_id, network=network
    )
    step = _step(session, declaration, body.audience, now)
    if step is None:
        raise InvalidInput.one("audience", "no duty to inform them applies to this incident")
    digest = hashlib.sha256(body.text.encode()).hexdigest()
    document = service.document(declaration) | {
        "notice": {"audience": body.audience, "subject": body.subject, "text": body.text,
                   "recipients": len(body.recipients)},
    }  # fmt: skip
    row = obligations.submit(
        session=session, incident=service.incident_of(declaration), obligation_id=step.id,
        body=SubmissionIn(file_name=f"notice-{body.audience}.txt", file_sha256=digest,
                          late_reason=None),
        document=document, by=by, now=now,
    )  # fmt: skip
    service.add_event(session=session, declaration=declaration, by=by, now=now,
                      text=f"Information envoyée ({body.audience}) à "
                           f"{len(body.recipients)} destinataire(s)")  # fmt: skip
    messages = []
    for address in body.recipients:
        message = EmailMessage()
        message["Subject"], message["From"], message["To"] = body.subject, sender, address
        message.set_content(body.text)
        messages.append(message)
    out = AffectedNoticeOut(obligation=obligations.out(row, now), recipients=len(messages),
                            text_sha256=digest)  # fmt: skip
    return out, messages
