"""Obligations of a declaration: kept in step with its facts, listed, and submitted.

Functions never commit: the caller owns the transaction. Every submission is audited
(with the reason of a delay and the file sent), so the regulatory trail is part of the
hash-chained audit trail and `trail` exports it for one incident.
"""

from __future__ import annotations

import functools
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, object_session

from tocsin.audit.models import AuditRecord
from tocsin.audit.service import Actor
from tocsin.audit.service import record as audit
from tocsin.errors import Conflict, FieldError, InvalidInput, NotFound
from tocsin.network.models import Organisation
from tocsin.obligations.clocks import Facts, Status, clocks, is_late, status_of
from tocsin.obligations.models import RegulatoryObligation
from tocsin.obligations.regimes import DEFAULT_RULES, StepRule, rules_from_json
from tocsin.obligations.schemas import ObligationOut, SubmissionIn
from tocsin.state import REGULATORY_RULES_KEY

CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class Incident:
    """What the declaration says that the clocks depend on."""

    declaration_id: uuid.UUID
    org_id: uuid.UUID
    aware_at: datetime
    personal_data: bool
    high_risk: bool


def rules_of(session: Session | None) -> tuple[StepRule, ...]:
    """The table in force: the node's own (`TOCSIN_REGULATORY_RULES_FILE`), else the default."""
    raw = session.info.get(REGULATORY_RULES_KEY) if session is not None else None
    return _parsed(raw) if raw else DEFAULT_RULES


@functools.lru_cache(maxsize=8)
def _parsed(raw: str) -> tuple[StepRule, ...]:
    return rules_from_json(json.loads(raw))


def _facts(session: Session, incident: Incident) -> Facts:
    org = session.get(Organisation, incident.org_id)
    return Facts(
        nis2=org.nis2.value if org else "none",
        csp_health=bool(org and org.csp_health),
        personal_data=incident.personal_data,
        high_risk=incident.high_risk,
        aware_at=incident.aware_at,
    )


def rows_of(*, session: Session, declaration_id: uuid.UUID) -> list[RegulatoryObligation]:
    """A declaration's obligations, in no particular order."""
    query = select(RegulatoryObligation).where(
        RegulatoryObligation.declaration_id == declaration_id
    )
    return list(session.scalars(query))


def refresh(
    *,
    session: Session,
    incident: Incident,
    now: datetime,
    rules: Sequence[StepRule] | None = None,
) -> list[RegulatoryObligation]:
    """Bring the stored steps in line with the facts: new steps appear, due times of unsent
    steps follow, a step that no longer applies is kept as such; sent steps never change."""
    rules = rules or rules_of(session)
    stored = rows_of(session=session, declaration_id=incident.declaration_id)
    rows = {(r.regime, r.step): r for r in stored}
    sent = {f"{r.regime}.{r.step}": r.submitted_at for r in rows.values() if r.submitted_at}
    found = {c.rule.key: c for c in clocks(_facts(session, incident), sent, rules)}
    for rule in rules:
        row, clock = rows.get((rule.regime, rule.step)), found.get(rule.key)
        if row is None and clock is None:
            continue
        if row is None:
            row = RegulatoryObligation(
                id=uuid.uuid4(), declaration_id=incident.declaration_id, org_id=incident.org_id,
                regime=rule.regime, step=rule.step, reminders_sent=[], created_at=now,
            )  # fmt: skip
            session.add(row)
            rows[(rule.regime, rule.step)] = row
        if row.submitted_at is not None:
            continue
        starts, due = (clock.starts_at, clock.due_at) if clock else (None, None)
        if (row.applicable, row.starts_at, row.due_at) != (clock is not None, starts, due):
            row.applicable, row.starts_at, row.due_at = clock is not None, starts, due
            row.reminders_sent = []  # a moved clock reminds afresh
            row.updated_at = now
        row.updated_at = row.updated_at or now
    session.flush()
    return _ordered(list(rows.values()), rules)


def _ordered(
    rows: list[RegulatoryObligation], rules: Sequence[StepRule]
) -> list[RegulatoryObligation]:
    order = {(r.regime, r.step): i for i, r in enumerate(rules)}
    return sorted(rows, key=lambda r: order.get((r.regime, r.step), len(order)))


def rule_of(row: RegulatoryObligation) -> StepRule:
    """The table's rule of a stored step (a step dropped from the table keeps a bare rule)."""
    for rule in rules_of(object_session(row)):
        if (rule.regime, rule.step) == (row.regime, row.step):
            return rule
    return StepRule(row.regime, row.step, row.regime.upper(), "")


def status(row: RegulatoryObligation, now: datetime) -> Status:
    return status_of(rule_of(row), due_at=row.due_at, submitted_at=row.submitted_at,
                     applicable=row.applicable, now=now)  # fmt: skip


def out(row: RegulatoryObligation, now: datetime) -> ObligationOut:
    rule = rule_of(row)
    return ObligationOut(
        id=row.id, declaration_id=row.declaration_id, regime=row.regime, step=row.step,
        authority=rule.authority, source=rule.source, contents=list(rule.contents),
        starts_at=row.starts_at, due_at=row.due_at, status=status(row, now),
        submitted_at=row.submitted_at, submitted_by=row.submitted_by_user_id,
        reference=row.reference, file_name=row.file_name, file_sha256=row.file_sha256,
        late_reason=row.late_reason,
    )  # fmt: skip


def listed(*, session: Session, declaration_id: uuid.UUID) -> list[RegulatoryObligation]:
    """A declaration's obligations in the table's order."""
    return _ordered(rows_of(session=session, declaration_id=declaration_id), rules_of(session))


def get(
    *, session: Session, declaration_id: uuid.UUID, obligation_id: uuid.UUID
) -> RegulatoryObligation:
    row = session.get(RegulatoryObligation, obligation_id)
    if row is None or row.declaration_id != declaration_id:
        raise NotFound("no such obligation for this declaration")
    return row


def _submission_errors(
    row: RegulatoryObligation, body: SubmissionIn, at: datetime, aware_at: datetime, now: datetime
) -> list[FieldError]:
    errors: list[FieldError] = []
    if at > now + CLOCK_SKEW:
        errors.append(FieldError("submitted_at", "is in the future"))
    if at < aware_at:
        errors.append(FieldError("submitted_at", "is before the moment of awareness"))
    if is_late(row.due_at, at) and not body.late_reason:
        errors.append(FieldError(
            "late_reason", "required: the step is sent after its due time (GDPR art. 33(1))"
        ))  # fmt: skip
    return errors


def submit(
    *,
    session: Session,
    incident: Incident,
    obligation_id: uuid.UUID,
    body: SubmissionIn,
    document: dict[str, Any],
    by: Actor,
    now: datetime,
) -> RegulatoryObligation:
    """Record that a step was sent, audit it, and start the clocks that follow from it."""
    row = get(session=session, declaration_id=incident.declaration_id, obligation_id=obligation_id)
    if row.submitted_at is not None:
        raise Conflict(f"the {row.regime} {row.step} was already submitted")
    if not row.applicable:
        raise InvalidInput.one("obligation_id", "this step does not apply to this incident")
    rule = rule_of(row)
    if rule.after and row.starts_at is None:
        raise Conflict(f"send the {row.regime} {rule.after} first")
    at = body.submitted_at or now
    errors = _submission_errors(row, body, at, incident.aware_at, now)
    if errors:
        raise InvalidInput(errors)
    row.submitted_at, row.submitted_by_user_id, row.submitted_by_org_id = at, by.user_id, by.org_id
    row.reference, row.file_name, row.file_sha256 = body.reference, body.file_name, body.file_sha256
    row.late_reason = body.late_reason if is_late(row.due_at, at) else None
    row.sent_document, row.updated_at = document, now
    audit(
        session=session, actor=by, action="obligation.submit", target_type="obligation",
        target_id=row.id, at=now, concerns=[row.org_id],
        details={"declaration_id": str(row.declaration_id), "regime": row.regime,
                 "step": row.step, "submitted_at": at.isoformat(),
                 "due_at": row.due_at.isoformat() if row.due_at else None,
                 "late_reason": row.late_reason, "reference": row.reference,
                 "file_name": row.file_name, "file_sha256": row.file_sha256},
    )  # fmt: skip
    refresh(session=session, incident=incident, now=now)
    return row


def previous_sent(*, session: Session, row: RegulatoryObligation) -> RegulatoryObligation | None:
    """The last step of the same regime sent before this one: what a later step updates."""
    earlier = [
        r for r in listed(session=session, declaration_id=row.declaration_id)
        if r.regime == row.regime and r.id != row.id and r.submitted_at is not None
        and (row.submitted_at is None or r.submitted_at <= row.submitted_at)
    ]  # fmt: skip
    return max(earlier, key=lambda r: r.submitted_at or r.created_at) if earlier else None


def trail(*, session: Session, declaration_id: uuid.UUID) -> list[AuditRecord]:
    """The audit records of an incident's regulatory trail, in chain order: the
    declaration's changes, every submission, reminder and document sent."""
    ids = [str(r.id) for r in rows_of(session=session, declaration_id=declaration_id)]
    query = select(AuditRecord).where(
        or_(
            (AuditRecord.target_type == "declaration")
            & (AuditRecord.target_id == str(declaration_id)),
            (AuditRecord.target_type == "obligation") & AuditRecord.target_id.in_(ids or [""]),
        )
    )
    return list(session.scalars(query.order_by(AuditRecord.seq)))


def running(
    *, session: Session, org_ids: Sequence[uuid.UUID] | None, limit: int = 200
) -> list[RegulatoryObligation]:
    """Steps with a clock and not yet sent, of these organisations (None: every one),
    soonest first."""
    query = (
        select(RegulatoryObligation)
        .where(RegulatoryObligation.submitted_at.is_(None))
        .where(RegulatoryObligation.applicable.is_(True))
        .where(RegulatoryObligation.due_at.is_not(None))
    )
    if org_ids is not None:
        query = query.where(RegulatoryObligation.org_id.in_(list(org_ids)))
    return list(session.scalars(query.order_by(RegulatoryObligation.due_at).limit(limit)))
