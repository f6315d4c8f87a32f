"""Declarations as the API shows them."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tocsin.alerts.present import org_ref
from tocsin.relay import incident_log, service
from tocsin.relay.models import Declaration, DeclarationHistory, IncidentLogEntry, RelayProposal
from tocsin.relay.schemas import (
    DeclarationOut,
    DeclarationSummary,
    HistoryOut,
    LogEntryOut,
    ProposalOut,
    ResolutionIn,
)
from tocsin.relay.vocab import RegulatoryCategory


def declaration_out(session: Session, declaration: Declaration) -> DeclarationOut:
    content = service.content_of(declaration)
    category = RegulatoryCategory(declaration.category)
    qualified_by = declaration.qualified_by_org_id
    resolution = declaration.resolution
    return DeclarationOut(
        id=declaration.id,
        organisation=org_ref(session, declaration.org_id),
        status=declaration.status,
        version=declaration.version,
        title=declaration.title,
        category=category,
        category_label=category.label,
        significant=category.significant,
        kind=content.kind,
        nature=content.nature,
        severity=content.severity,
        tlp=declaration.tlp,
        anonymous=content.anonymous,
        aware_at=declaration.aware_at or declaration.created_at,
        identity=content.identity,
        description=content.description,
        impacts=content.impacts,
        causes=content.causes,
        attack_steps=content.attack_steps,
        indicators=content.indicators,
        countermeasures=content.countermeasures,
        auto_share=content.auto_share,
        checklist=incident_log.checklist(declaration),
        alert_id=declaration.alert_id,
        relay_deadline=declaration.relay_deadline,
        qualified_by=org_ref(session, qualified_by) if qualified_by else None,
        qualified_at=declaration.qualified_at,
        auto_published_at=declaration.auto_published_at,
        resolution=ResolutionIn.model_validate(resolution) if resolution else None,
        created_at=declaration.created_at,
        updated_at=declaration.updated_at,
        closed_at=declaration.closed_at,
    )


def declaration_summary(session: Session, declaration: Declaration) -> DeclarationSummary:
    category = RegulatoryCategory(declaration.category)
    return DeclarationSummary(
        id=declaration.id,
        organisation=org_ref(session, declaration.org_id),
        status=declaration.status,
        title=declaration.title,
        category=category,
        significant=category.significant,
        severity=declaration.severity,
        alert_id=declaration.alert_id,
        relay_deadline=declaration.relay_deadline,
        created_at=declaration.created_at,
        updated_at=declaration.updated_at,
    )


def history_out(row: DeclarationHistory) -> HistoryOut:
    return HistoryOut(
        version=row.version,
        action=row.action,
        at=row.at,
        by_org=row.by_org_id,
        by_user=row.by_user_id,
        fields=row.fields,
        note=row.note,
        document=row.document,
    )


def log_entry_out(session: Session, row: IncidentLogEntry) -> LogEntryOut:
    author = org_ref(session, row.author_org_id) if row.author_org_id else None
    return LogEntryOut(
        id=row.id,
        at=row.at,
        recorded_at=row.recorded_at,
        kind=row.kind,
        text=row.text,
        checklist_item=row.checklist_item,
        author=author,
        author_user_id=row.author_user_id,
    )


def proposal_out(row: RelayProposal) -> ProposalOut:
    return ProposalOut(
        id=row.id,
        declaration_version=row.declaration_version,
        status=row.status,
        fields=row.fields,
        patch=row.patch,
        note=row.note,
        created_at=row.created_at,
        applied_at=row.applied_at,
        applied_by=row.applied_by_org_id,
    )
