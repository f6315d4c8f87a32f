"""A declaration's regulatory steps as its crisis cell works them: list, submit (the
declaring establishment only), the pre-filled document of each step, the incident's
regulatory trail as one file. Visibility is the declaration's; the clocks are `obligations/`.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from tocsin.alerts.models import Alert
from tocsin.audit.service import Actor
from tocsin.network.models import Organisation
from tocsin.obligations import service as obligations
from tocsin.obligations.models import RegulatoryObligation
from tocsin.obligations.schemas import ObligationOut, SubmissionIn
from tocsin.relay import filings, service
from tocsin.relay.models import Declaration
from tocsin.sharing.rules import Network

STEP_NAMES = {
    "early_warning": "l'alerte précoce", "notification": "la notification",
    "intermediate_report": "le rapport intermédiaire", "final_report": "le rapport final",
    "declaration": "la déclaration", "data_subjects": "la communication aux personnes",
    "recipients_notice": "l'information des destinataires",
}  # fmt: skip


def listed(*, session: Session, declaration: Declaration, now: datetime) -> list[ObligationOut]:
    """The declaration's steps, brought in line with it first (a status changed meanwhile)."""
    rows = obligations.refresh(session=session, incident=service.incident_of(declaration), now=now)
    return [obligations.out(r, now) for r in rows]


def submit(
    *,
    session: Session,
    declaration_id: uuid.UUID,
    obligation_id: uuid.UUID,
    body: SubmissionIn,
    org_id: uuid.UUID,
    by: Actor,
    network: Network,
    now: datetime,
) -> ObligationOut:
    """Record that the declaring establishment sent a step, and note it in the incident log."""
    declaration = service.get_own(
        session=session, declaration_id=declaration_id, org_id=org_id, network=network
    )
    row = obligations.submit(
        session=session, incident=service.incident_of(declaration), obligation_id=obligation_id,
        body=body, document=service.document(declaration), by=by, now=now,
    )  # fmt: skip
    reference = f" (référence {row.reference})" if row.reference else ""
    service.add_event(
        session=session, declaration=declaration, by=by, now=now, at=row.submitted_at,
        text=f"{row.regime.upper()} : {STEP_NAMES.get(row.step, row.step)} envoyée{reference}",
    )  # fmt: skip
    return obligations.out(row, now)


def _header(
    session: Session, declaration: Declaration, row: RegulatoryObligation, zone: str, now: datetime
) -> dict[str, Any]:
    rule = obligations.rule_of(row)
    alert = session.get(Alert, declaration.alert_id) if declaration.alert_id else None
    return {
        "régime": row.regime, "étape": row.step, "autorité": rule.authority,
        "base_légale": rule.source, "contenu_attendu": list(rule.contents),
        "incident": declaration.title, "déclaration": str(declaration.id),
        "alerte": {"id": str(alert.id), "titre": alert.title} if alert else None,
        "échéance": filings.shown(row.due_at.isoformat(), zone) if row.due_at
        else "sans délai chiffré",
        "état": obligations.status(row, now).value,
        "établi_le": filings.shown(now.isoformat(), zone),
    }  # fmt: skip


def document(
    *,
    session: Session,
    declaration: Declaration,
    obligation_id: uuid.UUID,
    zone: str,
    now: datetime,
) -> dict[str, Any]:
    """The step's document, pre-filled: what was sent if it was sent, else the declaration now."""
    row = obligations.get(session=session, declaration_id=declaration.id,
                          obligation_id=obligation_id)  # fmt: skip
    org = session.get(Organisation, declaration.org_id)
    structure = {"name": org.name, "finess": org.finess, "legal_finess": org.legal_finess,
                 "nis2": org.nis2.value} if org else {}  # fmt: skip
    current = row.sent_document or service.document(declaration)
    data = filings.facts(current, {"structure": structure, "late_reason": row.late_reason})
    previous = obligations.previous_sent(session=session, row=row)
    header = _header(session, declaration, row, zone, now)
    if previous is not None:
        header["étape_précédente"] = STEP_NAMES.get(previous.step, previous.step)
    return filings.filing(
        key=f"{row.regime}.{row.step}", data=data, header=header,
        previous=filings.facts(previous.sent_document or {}, {"structure": structure})
        if previous else None, zone=zone,
    )  # fmt: skip


def trail(*, session: Session, declaration: Declaration, now: datetime) -> dict[str, Any]:
    """The incident's regulatory trail: its steps and their audit records, in chain order."""
    records = obligations.trail(session=session, declaration_id=declaration.id)
    return {
        "declaration_id": str(declaration.id),
        "title": declaration.title,
        "aware_at": (declaration.aware_at or declaration.created_at).isoformat(),
        "obligations": [
            obligations.out(r, now).model_dump(mode="json")
            for r in obligations.listed(session=session, declaration_id=declaration.id)
        ],
        "audit": [
            {"seq": r.seq, "at": r.at.isoformat(), "action": r.action,
             "target_type": r.target_type, "target_id": r.target_id,
             "actor_org_id": str(r.actor_org_id) if r.actor_org_id else None,
             "actor_user_id": str(r.actor_user_id) if r.actor_user_id else None,
             "details": r.details, "digest": r.digest, "prev_digest": r.prev_digest}
            for r in records
        ],
    }  # fmt: skip
