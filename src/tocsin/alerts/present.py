"""Alerts as a given viewer may see them: the source hidden where anonymity asks."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tocsin.alerts.models import Alert, AlertIndicator, AlertRevision
from tocsin.alerts.projection import facts
from tocsin.alerts.schemas import (
    AlertOut,
    AlertSummary,
    IndicatorOut,
    OrgRef,
    RevisionOut,
    ScopeOut,
)
from tocsin.network.models import Organisation
from tocsin.sharing.rules import Network, reveals_affected, reveals_source
from tocsin.sharing.tlp import TLP

HANDLING = {
    TLP.clear: "No restriction: may be shared publicly.",
    TLP.green: "Share within the community, not publicly.",
    TLP.amber: "Share within your organisation and its clients on a need-to-know basis.",
    TLP.amber_strict: "Not to leave your organisation.",
    TLP.red: "For the named recipients only; not to be shared further.",
}


def org_ref(session: Session, org_id: uuid.UUID) -> OrgRef | None:
    org = session.get(Organisation, org_id)
    return OrgRef(id=org.id, name=org.name, kind=org.kind.value) if org else None


def _source(session: Session, alert: Alert, viewer_id: uuid.UUID | None, net: Network) -> Any:
    if reveals_source(viewer_id, facts(alert), net):
        return org_ref(session, alert.source_org_id)
    return None


def _affected(session: Session, alert: Alert, viewer_id: uuid.UUID | None, net: Network) -> Any:
    if alert.affected_org_id and reveals_affected(viewer_id, facts(alert), net):
        return org_ref(session, alert.affected_org_id)
    return None


def indicator_out(row: AlertIndicator) -> IndicatorOut:
    return IndicatorOut(
        id=row.id,
        type=row.type,
        value=row.value,
        comment=row.comment,
        first_seen=row.first_seen,
        valid_until=row.valid_until,
        context=row.context,
    )


def alert_out(
    session: Session, alert: Alert, viewer_id: uuid.UUID | None, network: Network
) -> AlertOut:
    return AlertOut(
        id=alert.id,
        status=alert.status,
        revision=alert.revision,
        title=alert.title,
        summary=alert.summary,
        category=alert.category,
        severity=alert.severity,
        tlp=alert.tlp,
        tlp_label=alert.tlp.label,
        handling=HANDLING[alert.tlp],
        pap=alert.pap,
        scope=ScopeOut(
            kind=alert.scope_kind,
            area_id=alert.scope_area_id,
            organisations=[uuid.UUID(o) for o in alert.named],
        ),
        anonymous=alert.anonymous,
        source=_source(session, alert, viewer_id, network),
        affected=_affected(session, alert, viewer_id, network),
        first_seen=alert.first_seen,
        care_impact=alert.care_impact,
        origin=alert.origin,
        attack_steps=alert.attack_steps,
        indicators=[indicator_out(i) for i in alert.indicators if i.withdrawn_at is None],
        countermeasures=alert.countermeasures,
        created_at=alert.created_at,
        updated_at=alert.updated_at,
        published_at=alert.published_at,
        closed_at=alert.closed_at,
        retracted_at=alert.retracted_at,
        retract_reason=alert.retract_reason,
        exercise=alert.exercise,
    )


def alert_summary(
    session: Session, alert: Alert, viewer_id: uuid.UUID | None, network: Network
) -> AlertSummary:
    return AlertSummary(
        id=alert.id,
        status=alert.status,
        revision=alert.revision,
        title=alert.title,
        category=alert.category,
        severity=alert.severity,
        tlp=alert.tlp,
        anonymous=alert.anonymous,
        source=_source(session, alert, viewer_id, network),
        affected=_affected(session, alert, viewer_id, network),
        indicator_count=alert.indicator_count,
        created_at=alert.created_at,
        updated_at=alert.updated_at,
        published_at=alert.published_at,
        exercise=alert.exercise,
    )


def alert_summaries(
    session: Session, alerts: list[Alert], viewer_id: uuid.UUID | None, network: Network
) -> list[AlertSummary]:
    """Summaries of a page of alerts; the organisations they name are read in one statement
    (then found in the session) rather than one per alert."""
    named = {a.source_org_id for a in alerts} | {a.affected_org_id for a in alerts}
    wanted = [i for i in named if i is not None]
    # Held until the summaries are built: the session's identity map keeps no strong reference.
    query = select(Organisation).where(Organisation.id.in_(wanted))
    held = list(session.scalars(query)) if wanted else []
    summaries = [alert_summary(session, a, viewer_id, network) for a in alerts]
    del held
    return summaries


def revision_out(
    session: Session,
    alert: Alert,
    revision: AlertRevision,
    viewer_id: uuid.UUID | None,
    network: Network,
) -> RevisionOut:
    shows_source = reveals_source(viewer_id, facts(alert), network)
    document = revision.document
    if document.get("affected_organisation") and not reveals_affected(
        viewer_id, facts(alert), network
    ):
        document = {**document, "affected_organisation": None}
    return RevisionOut(
        number=revision.number,
        action=revision.action.value,
        created_at=revision.created_at,
        author=org_ref(session, revision.author_org_id) if shows_source else None,
        note=revision.note,
        document=document,
    )


def org_names(session: Session, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    rows = session.execute(
        select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids))
    )
    return {r.id: r.name for r in rows}
