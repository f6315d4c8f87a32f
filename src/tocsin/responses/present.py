"""Responses and escalations as the API shows them."""

from __future__ import annotations

import statistics
import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tocsin.alerts.models import Alert
from tocsin.alerts.present import org_ref
from tocsin.alerts.schemas import OrgRef
from tocsin.clock import as_utc
from tocsin.network.models import Organisation, User
from tocsin.responses.deadlines import DeadlinePolicy, Obligation, Stage, due_at
from tocsin.responses.models import AlertResponse, Applicability, Escalation
from tocsin.responses.schemas import (
    EscalationOut,
    PersonRef,
    ResponseOut,
    ResponseRow,
    ResponseTable,
    ResponseTotals,
    UpdateOut,
)


def _update_out(entry: dict[str, object]) -> UpdateOut:
    return UpdateOut.model_validate(entry)


def _seconds(start: datetime, end: datetime | None) -> float | None:
    return None if end is None else (as_utc(end) - as_utc(start)).total_seconds()


def response_row(
    session: Session, alert: Alert, row: AlertResponse, policy: DeadlinePolicy, org: OrgRef
) -> ResponseRow:
    person = session.get(User, row.acknowledged_by) if row.acknowledged_by else None
    deadline = {
        o: due_at(policy, o, Stage.director, alert.severity, row.reached_at) for o in Obligation
    }
    return ResponseRow(
        organisation=org,
        reached_revision=row.reached_revision,
        reached_at=row.reached_at,
        received_at=row.received_at,
        acknowledged_at=row.acknowledged_at,
        acknowledged_by=PersonRef(id=person.id, display_name=person.display_name)
        if person
        else None,
        time_to_acknowledge_seconds=_seconds(row.reached_at, row.acknowledged_at),
        acknowledge_due_at=deadline[Obligation.acknowledge],
        first_update_due_at=deadline[Obligation.first_update],
        applicability=row.applicability,
        last_update=_update_out(row.updates[-1]) if row.updates else None,
        update_count=len(row.updates),
        closed_at=row.closed_at,
    )


def response_out(
    session: Session, alert: Alert, row: AlertResponse, policy: DeadlinePolicy
) -> ResponseOut:
    org = org_ref(session, row.org_id)
    assert org is not None  # the foreign key guarantees it
    base = response_row(session, alert, row, policy, org)
    return ResponseOut(
        **base.model_dump(), alert_id=alert.id, updates=[_update_out(u) for u in row.updates]
    )


def _names(session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, OrgRef]:
    if not ids:
        return {}
    rows = session.scalars(select(Organisation).where(Organisation.id.in_(ids)))
    return {o.id: OrgRef(id=o.id, name=o.name, kind=o.kind.value) for o in rows}


def table(
    session: Session, alert: Alert, rows: list[AlertResponse], policy: DeadlinePolicy
) -> ResponseTable:
    names = _names(session, [r.org_id for r in rows])
    out = sorted(
        (response_row(session, alert, r, policy, names[r.org_id]) for r in rows),
        key=lambda r: (r.organisation.name, str(r.organisation.id)),
    )
    delays = [
        r.time_to_acknowledge_seconds for r in out if r.time_to_acknowledge_seconds is not None
    ]
    counts = {a: sum(1 for r in out if r.applicability is a) for a in Applicability}
    totals = ResponseTotals(
        recipients=len(out),
        received=sum(1 for r in out if r.received_at is not None),
        acknowledged=len(delays),
        affected=counts[Applicability.affected],
        not_affected=counts[Applicability.not_affected],
        investigating=counts[Applicability.investigating],
        closed=sum(1 for r in out if r.closed_at is not None),
        median_time_to_acknowledge_seconds=statistics.median(delays) if delays else None,
    )
    return ResponseTable(alert_id=alert.id, severity=alert.severity, totals=totals, responses=out)


def escalations(session: Session, rows: list[Escalation]) -> list[EscalationOut]:
    ids = {r.org_id for r in rows} | {uuid.UUID(o) for r in rows for o in r.notified_orgs}
    names = _names(session, sorted(ids))
    return [
        EscalationOut(
            id=r.id,
            organisation=names[r.org_id],
            obligation=r.obligation,
            stage="director" if r.stage == Stage.director else "relays",
            due_at=r.due_at,
            status=r.status,
            fired_at=r.fired_at,
            notified=[names[uuid.UUID(o)] for o in r.notified_orgs if uuid.UUID(o) in names],
            notified_people=len(r.notified_emails),
        )
        for r in rows
    ]
