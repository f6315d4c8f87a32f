"""From a declaration to an alert: qualification by a relay, automatic publication at the
relay deadline, and the declarant's later changes proposed to the relay.

The alert is created and published through the publication layer (`tocsin.publication`),
with the relay as its source; the declaration keeps the link (`Declaration.alert_id`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from tocsin.alerts.models import Alert
from tocsin.alerts.schemas import AlertContent, AlertPatch
from tocsin.alerts.vocab import Category
from tocsin.audit.service import SYSTEM, Actor
from tocsin.errors import Conflict, Forbidden, InvalidInput, NotFound
from tocsin.network.models import Organisation
from tocsin.publication import service as publication
from tocsin.relay import service
from tocsin.relay.auto_text import auto_summary, auto_title
from tocsin.relay.models import Declaration, RelayProposal
from tocsin.relay.notify import notify_relays
from tocsin.relay.schemas import ApplyIn, AutoShare, QualifyIn, invalid
from tocsin.relay.vocab import DeclarationStatus, HistoryAction, ProposalStatus, SharePart
from tocsin.sharing.rules import Network, ScopeKind

AUTO_NOTE = "published automatically at the relay deadline"
# Declaration fields that have a counterpart in the alert, for proposals to the relay.
ALERT_FIELDS = {
    "indicators": "indicators",
    "attack_steps": "attack_steps",
    "countermeasures": "countermeasures",
    "causes": "origin",
    "impacts": "care_impact",
    "severity": "severity",
}


def _shared(declaration: Declaration, parts: Iterable[SharePart]) -> dict[str, Any]:
    """The alert fields carrying the chosen parts of the declaration."""
    chosen = set(parts)
    content = service.content_of(declaration)
    causes = content.causes
    origin = {
        "initial_access": causes.initial_access if SharePart.initial_access in chosen else None,
        "malware_family": causes.malware_family if SharePart.malware_family in chosen else None,
        "threat_actor": causes.threat_actor if SharePart.malware_family in chosen else None,
    }
    fields: dict[str, Any] = {"origin": origin}
    if SharePart.indicators in chosen:
        fields["indicators"] = content.indicators
    if SharePart.countermeasures in chosen:
        fields["countermeasures"] = content.countermeasures
    if SharePart.attack_steps in chosen:
        fields["attack_steps"] = content.attack_steps
    if SharePart.care_impact in chosen:
        fields["care_impact"] = content.impacts.care
    return fields


def _area_scope(declaration: Declaration, kind: ScopeKind, network: Network) -> dict[str, Any]:
    """A scope anchored on the declarant's own group, region or nation, whoever publishes."""
    return {"kind": kind, "area_id": network.default_area(declaration.org_id, kind)}


def _publish_alert(
    session: Session,
    content: dict[str, Any],
    source_id: uuid.UUID,
    by: Actor,
    network: Network,
    now: datetime,
    note: str | None,
) -> Alert:
    try:
        checked = AlertContent.model_validate(content)
    except ValidationError as exc:
        raise invalid(exc) from exc
    return publication.create_and_publish(
        session=session, content=checked, source_org_id=source_id, by=by, network=network,
        now=now, note=note,
    )  # fmt: skip


def qualify(
    *,
    session: Session,
    declaration_id: uuid.UUID,
    choice: QualifyIn,
    relay_org_id: uuid.UUID,
    by: Actor,
    network: Network,
    now: datetime,
) -> Declaration:
    """A relay publishes its shareable version of the declaration as an alert."""
    declaration = service.get_visible(
        session=session, declaration_id=declaration_id, viewer_id=relay_org_id, network=network
    )
    if relay_org_id == declaration.org_id:
        raise Forbidden("a relay qualifies the declaration, not the declaring establishment")
    if declaration.status is not DeclarationStatus.open:
        raise Conflict(
            f"this declaration is already {declaration.status.value}; "
            "update its alert or apply the pending revisions"
        )
    content = service.content_of(declaration)
    alert_content = {
        "title": choice.title or declaration.title,
        "summary": choice.summary if choice.summary is not None else _default_summary(content),
        "category": declaration.kind or Category.other,
        "severity": choice.severity or declaration.severity,
        "tlp": choice.tlp,
        "scope": choice.scope or _area_scope(declaration, ScopeKind.region, network),
        "anonymous": declaration.anonymous if choice.anonymous is None else choice.anonymous,
        "affected_organisation": declaration.org_id,
        "first_seen": content.description.discovered_at,
        **_shared(declaration, choice.include),
    }
    alert = _publish_alert(session, alert_content, relay_org_id, by, network, now, choice.note)
    _link(declaration, alert, DeclarationStatus.qualified, now)
    declaration.qualified_by_org_id, declaration.qualified_at = relay_org_id, now
    service.record_change(
        session=session,
        declaration=declaration,
        action=HistoryAction.qualify,
        by=by,
        fields=["alert_id"],
        note=choice.note,
        now=now,
    )
    service.add_event(
        session=session,
        declaration=declaration,
        by=by,
        now=now,
        text=f"Qualified by a relay and published as alert {alert.id}",
    )
    notify_relays(
        session=session,
        declaration=declaration,
        event="qualified",
        network=network,
        now=now,
        details={"alert_id": str(alert.id)},
    )
    return declaration


def _default_summary(content: Any) -> str:
    return str(content.description.summary or "")


def _link(declaration: Declaration, alert: Alert, status: DeclarationStatus, now: datetime) -> None:
    declaration.alert_id = alert.id
    declaration.status = status
    declaration.relay_deadline = None
    declaration.updated_at = now


def auto_source(declaration: Declaration, network: Network) -> uuid.UUID | None:
    """The relay in whose name the automatic publication goes out: region, else group, else
    the national CERT."""
    for kind in (ScopeKind.region, ScopeKind.group, ScopeKind.national):
        area = network.default_area(declaration.org_id, kind)
        if area is not None:
            return area
    return None


def _auto_content(
    session: Session, declaration: Declaration, share: AutoShare, network: Network, language: str
) -> dict[str, Any]:
    kind = declaration.kind or Category.other
    where = None
    if not share.anonymous:
        org = session.get(Organisation, declaration.org_id)
        where = org.name if org else None
    declared = service.content_of(declaration).description.summary
    return {
        "title": auto_title(kind=kind.value, where=where, language=language),
        "summary": auto_summary(declared=declared, parts=share.parts, language=language),
        "category": kind,
        "severity": declaration.severity,
        "tlp": share.tlp,
        "scope": _area_scope(declaration, share.scope, network),
        "anonymous": share.anonymous,
        "affected_organisation": declaration.org_id,
        "first_seen": service.content_of(declaration).description.discovered_at,
        **_shared(declaration, share.parts),
    }


def auto_publish(
    *, session: Session, declaration: Declaration, network: Network, now: datetime,
    language: str = "fr",
) -> Alert:  # fmt: skip
    """Publish the pre-approved part of a declaration no relay qualified in time, in the
    hub's language."""
    source_id = auto_source(declaration, network)
    if source_id is None:
        raise Conflict("the declarant has no relay to publish in the name of")
    try:
        share = AutoShare.model_validate(declaration.auto_share)
    except ValidationError as exc:
        raise InvalidInput.one("auto_share", str(exc)) from exc
    by = Actor(org_id=source_id)
    content = _auto_content(session, declaration, share, network, language)
    alert = _publish_alert(session, content, source_id, by, network, now, AUTO_NOTE)
    _link(declaration, alert, DeclarationStatus.auto_published, now)
    declaration.auto_published_at = now
    service.record_change(
        session=session,
        declaration=declaration,
        by=SYSTEM,
        action=HistoryAction.auto_publish,
        fields=["alert_id"],
        note=AUTO_NOTE,
        now=now,
    )
    service.add_event(
        session=session,
        declaration=declaration,
        by=SYSTEM,
        now=now,
        text=f"No relay acted: alert {alert.id} {AUTO_NOTE}",
    )
    notify_relays(
        session=session,
        declaration=declaration,
        event="auto_published",
        network=network,
        now=now,
        details={"alert_id": str(alert.id)},
    )
    return alert


def propose(
    *,
    session: Session,
    declaration: Declaration,
    changed: list[str],
    note: str | None,
    network: Network,
    now: datetime,
) -> RelayProposal | None:
    """After publication, turn the declarant's change into a revision waiting for the relay."""
    if declaration.alert_id is None:
        return None
    mapped = sorted(ALERT_FIELDS[f] for f in changed if f in ALERT_FIELDS)
    if not mapped:
        return None
    current = _shared(declaration, SharePart)
    current |= {"severity": declaration.severity}
    patch = AlertPatch.model_validate({f: current[f] for f in mapped if f in current})
    proposal = RelayProposal(
        declaration_id=declaration.id,
        declaration_version=declaration.version,
        status=ProposalStatus.pending,
        fields=mapped,
        note=note,
        created_at=now,
        patch=patch.model_dump(mode="json", exclude_unset=True),
    )
    session.add(proposal)
    session.flush()
    notify_relays(
        session=session,
        declaration=declaration,
        event="revision_proposed",
        network=network,
        now=now,
        details={"proposal_id": str(proposal.id)},
    )
    return proposal


def proposals(
    *, session: Session, declaration_id: uuid.UUID, viewer_id: uuid.UUID, network: Network
) -> list[RelayProposal]:
    service.get_visible(
        session=session, declaration_id=declaration_id, viewer_id=viewer_id, network=network
    )
    query = (
        select(RelayProposal)
        .where(RelayProposal.declaration_id == declaration_id)
        .order_by(RelayProposal.created_at, RelayProposal.declaration_version)
    )
    return list(session.scalars(query))


def apply_proposal(
    *,
    session: Session,
    declaration_id: uuid.UUID,
    proposal_id: uuid.UUID,
    choice: ApplyIn,
    relay_org_id: uuid.UUID,
    by: Actor,
    network: Network,
    now: datetime,
) -> Alert:
    """The relay that owns the alert publishes a pending revision as an alert update."""
    declaration = service.get_visible(
        session=session, declaration_id=declaration_id, viewer_id=relay_org_id, network=network
    )
    proposal = session.get(RelayProposal, proposal_id)
    if proposal is None or proposal.declaration_id != declaration.id:
        raise NotFound("no such proposal")
    alert = session.get(Alert, declaration.alert_id) if declaration.alert_id else None
    if alert is None or alert.source_org_id != relay_org_id:
        raise Forbidden("only the relay that published the alert applies its revisions")
    if proposal.status is not ProposalStatus.pending:
        raise Conflict("this revision was already applied")
    patch = choice.patch or AlertPatch.model_validate(proposal.patch)
    note = (
        choice.note
        or proposal.note
        or f"update from the declarant (v{proposal.declaration_version})"
    )
    patch = patch.model_copy(update={"note": note})
    publication.update(
        session=session,
        alert_id=alert.id,
        patch=patch,
        org_id=relay_org_id,
        by=by,
        network=network,
        now=now,
    )
    proposal.status, proposal.applied_at, proposal.applied_by_org_id = (
        ProposalStatus.applied,
        now,
        relay_org_id,
    )
    service.record_change(
        session=session,
        declaration=declaration,
        by=by,
        note=note,
        now=now,
        action=HistoryAction.apply_revision,
        fields=proposal.fields,
    )
    return alert
