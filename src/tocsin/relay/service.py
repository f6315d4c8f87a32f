"""Declarations: declare, read as the crisis cell, edit, close, and tell the relays.

Functions never commit: the caller owns the transaction. Every change bumps the version,
writes a history row holding the whole document after it, and an audit record.
Who sees a declaration: the declaring establishment and its relays (group, region,
national CERT), i.e. the crisis cell; only the declaring establishment changes it.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from tocsin.audit.service import Actor
from tocsin.audit.service import record as audit
from tocsin.clock import as_utc
from tocsin.errors import Conflict, Forbidden, InvalidInput, NotFound
from tocsin.obligations import service as obligations
from tocsin.relay.deadlines import DeadlinePolicy
from tocsin.relay.models import Declaration, DeclarationHistory, IncidentLogEntry
from tocsin.relay.notify import notify_relays
from tocsin.relay.schemas import (
    DeclarationIn,
    DeclarationPatch,
    ResolutionIn,
    awareness_errors,
    future_dates,
    invalid,
)
from tocsin.relay.vocab import DeclarationStatus, HistoryAction, LogKind
from tocsin.sharing.rules import Network
from tocsin.sharing.tlp import TLP

BLOCKS = ("identity", "description", "impacts", "causes", "auto_share")
LISTS = ("attack_steps", "indicators", "countermeasures")


def content_of(declaration: Declaration) -> DeclarationIn:
    """The current content of a declaration, as its declarant would write it."""
    data: dict[str, Any] = {
        name: getattr(declaration, name)
        for name in ("title", "category", "kind", "nature", "severity", "anonymous", "aware_at")
    }
    data |= {name: getattr(declaration, name) for name in (*BLOCKS, *LISTS)}
    return DeclarationIn.model_validate(data)


def document(declaration: Declaration) -> dict[str, Any]:
    """The history snapshot: the content and the relay fields."""
    doc = content_of(declaration).model_dump(mode="json", exclude={"organisation_id"})
    doc |= {
        "status": declaration.status.value,
        "alert_id": str(declaration.alert_id) if declaration.alert_id else None,
        "relay_deadline": _iso(declaration.relay_deadline),
        "checklist": declaration.checklist,
        "resolution": declaration.resolution,
    }
    return doc


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def incident_of(declaration: Declaration) -> obligations.Incident:
    """What the legal clocks of the declaration depend on."""
    impacts = declaration.impacts or {}
    return obligations.Incident(
        declaration_id=declaration.id,
        org_id=declaration.org_id,
        aware_at=declaration.aware_at or declaration.created_at,
        personal_data=bool(impacts.get("personal_data")),
        high_risk=bool(impacts.get("personal_data") and impacts.get("high_risk_to_people")),
    )


def cell_of(declaration: Declaration, network: Network) -> frozenset[uuid.UUID]:
    """The crisis cell: the declaring establishment and its relays."""
    return network.relays_of(declaration.org_id) | {declaration.org_id}


def get_visible(
    *, session: Session, declaration_id: uuid.UUID, viewer_id: uuid.UUID, network: Network
) -> Declaration:
    """The declaration if the viewer is in its crisis cell; otherwise NotFound."""
    declaration = session.get(Declaration, declaration_id)
    if declaration is None or viewer_id not in cell_of(declaration, network):
        raise NotFound("no such declaration")
    return declaration


def get_own(
    *, session: Session, declaration_id: uuid.UUID, org_id: uuid.UUID, network: Network
) -> Declaration:
    """A declaration the organisation made: relays get 403, strangers 404."""
    declaration = get_visible(
        session=session, declaration_id=declaration_id, viewer_id=org_id, network=network
    )
    if declaration.org_id != org_id:
        raise Forbidden("only the declaring establishment may change its declaration")
    return declaration


def _checked(content: DeclarationIn, now: datetime) -> DeclarationIn:
    errors = future_dates(content, now) + awareness_errors(content)
    if errors:
        raise InvalidInput(errors)
    return content


def _apply(declaration: Declaration, content: DeclarationIn) -> None:
    declaration.title = content.title
    declaration.category = int(content.category)
    declaration.kind = content.kind
    declaration.nature = content.nature
    declaration.severity = content.severity
    declaration.anonymous = content.anonymous
    aware = as_utc(content.aware_at) if content.aware_at else None
    declaration.aware_at = aware or declaration.aware_at or declaration.created_at
    for name in BLOCKS:
        setattr(declaration, name, getattr(content, name).model_dump(mode="json"))
    for name in LISTS:
        setattr(declaration, name, [i.model_dump(mode="json") for i in getattr(content, name)])


def declare(
    *,
    session: Session,
    content: DeclarationIn,
    org_id: uuid.UUID,
    by: Actor,
    network: Network,
    policy: DeadlinePolicy,
    now: datetime,
) -> Declaration:
    """Save a new declaration, start its relay deadline, and tell the relays."""
    if content.organisation_id not in (None, org_id):
        raise Forbidden("you may declare for your own establishment only")
    node = network.orgs.get(org_id)
    if node is None or node.kind != "establishment":
        raise Forbidden("only an establishment declares incidents; relays qualify them")
    declaration = Declaration(
        id=uuid.uuid4(),
        org_id=org_id,
        declared_by=by.user_id,
        status=DeclarationStatus.open,
        version=0,
        tlp=TLP.amber_strict,
        checklist={},
        created_at=now,
        updated_at=now,
    )
    _apply(declaration, _checked(content, now))
    declaration.relay_deadline = policy.deadline(now, content.severity)
    session.add(declaration)
    session.flush()
    record_change(
        session=session,
        declaration=declaration,
        action=HistoryAction.create,
        by=by,
        fields=sorted(content.model_fields_set),
        note=None,
        now=now,
    )
    add_event(session=session, declaration=declaration, text="Incident declared", by=by, now=now)
    notify_relays(
        session=session, declaration=declaration, event="declared", network=network, now=now
    )
    return declaration


def edit(
    *,
    session: Session,
    declaration_id: uuid.UUID,
    patch: DeclarationPatch,
    org_id: uuid.UUID,
    by: Actor,
    network: Network,
    policy: DeadlinePolicy,
    now: datetime,
) -> tuple[Declaration, list[str]]:
    """Change a declaration; returns it and the names of the fields that changed."""
    declaration = get_own(
        session=session, declaration_id=declaration_id, org_id=org_id, network=network
    )
    if declaration.status is DeclarationStatus.closed:
        raise Conflict("a closed declaration cannot be changed")
    before = content_of(declaration).model_dump(mode="json")
    changes = patch.model_dump(exclude_unset=True, exclude={"note"})
    try:
        content = DeclarationIn.model_validate(content_of(declaration).model_dump() | changes)
    except ValidationError as exc:
        raise invalid(exc) from exc
    _apply(declaration, _checked(content, now))
    after = content.model_dump(mode="json")
    changed = sorted(k for k in after if after[k] != before.get(k))
    if declaration.status is DeclarationStatus.open:
        declaration.relay_deadline = policy.deadline(declaration.created_at, content.severity)
    declaration.updated_at = now
    record_change(
        session=session,
        declaration=declaration,
        action=HistoryAction.edit,
        by=by,
        fields=changed,
        note=patch.note,
        now=now,
    )
    return declaration, changed


def close(
    *,
    session: Session,
    declaration_id: uuid.UUID,
    resolution: ResolutionIn,
    org_id: uuid.UUID,
    by: Actor,
    network: Network,
    now: datetime,
) -> Declaration:
    """Close the incident with its follow-up (resolution) declaration."""
    declaration = get_own(
        session=session, declaration_id=declaration_id, org_id=org_id, network=network
    )
    if declaration.status is DeclarationStatus.closed:
        raise Conflict("this declaration is already closed")
    for name in ("ended_at", "care_restored_at"):
        moment = getattr(resolution, name)
        if moment is not None and moment > now:
            raise InvalidInput.one(name, "is in the future")
    declaration.resolution = resolution.model_dump(mode="json")
    declaration.status = DeclarationStatus.closed
    declaration.relay_deadline = None
    declaration.closed_at = declaration.updated_at = now
    record_change(
        session=session,
        declaration=declaration,
        action=HistoryAction.close,
        by=by,
        fields=["resolution"],
        note=resolution.summary,
        now=now,
    )
    add_event(session=session, declaration=declaration, text="Incident closed", by=by, now=now)
    notify_relays(
        session=session, declaration=declaration, event="closed", network=network, now=now
    )
    return declaration


def _visible_conditions(
    viewer_id: uuid.UUID,
    network: Network,
    status: DeclarationStatus | None,
    after: tuple[datetime, uuid.UUID] | None,
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    node = network.orgs.get(viewer_id)
    if node is None or node.kind != "national":  # the national CERT relays everyone
        cell_orgs = sorted(network.members(viewer_id) | {viewer_id})
        conditions.append(Declaration.org_id.in_(cell_orgs))
    if status is not None:
        conditions.append(Declaration.status == status)
    if after is not None:
        created, row_id = after
        conditions.append(
            or_(
                Declaration.created_at < created,
                (Declaration.created_at == created) & (Declaration.id < row_id),
            )
        )
    return conditions


def list_visible(
    *,
    session: Session,
    viewer_id: uuid.UUID,
    network: Network,
    status: DeclarationStatus | None,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[Declaration]:
    """Declarations of the viewer's crisis cells, newest first, strictly after the cursor."""
    query = select(Declaration).where(*_visible_conditions(viewer_id, network, status, after))
    query = query.order_by(Declaration.created_at.desc(), Declaration.id.desc()).limit(limit)
    rows = list(session.scalars(query))
    return [d for d in rows if viewer_id in cell_of(d, network)]


def history(
    *, session: Session, declaration_id: uuid.UUID, viewer_id: uuid.UUID, network: Network
) -> list[DeclarationHistory]:
    get_visible(
        session=session, declaration_id=declaration_id, viewer_id=viewer_id, network=network
    )
    query = (
        select(DeclarationHistory)
        .where(DeclarationHistory.declaration_id == declaration_id)
        .order_by(DeclarationHistory.version)
    )
    return list(session.scalars(query))


def record_change(
    *,
    session: Session,
    declaration: Declaration,
    action: HistoryAction,
    by: Actor,
    fields: list[str],
    note: str | None,
    now: datetime,
) -> DeclarationHistory:
    """Bump the version, keep the whole document in the history, audit the change, and bring
    the regulatory obligations in line with it."""
    declaration.version += 1
    entry = DeclarationHistory(
        declaration_id=declaration.id,
        version=declaration.version,
        action=action,
        at=now,
        by_org_id=by.org_id,
        by_user_id=by.user_id,
        fields=fields,
        note=note,
        document=document(declaration),
    )
    session.add(entry)
    session.flush()
    audit(
        session=session,
        actor=by,
        action=f"declaration.{action.value}",
        target_type="declaration",
        target_id=declaration.id,
        at=now,
        concerns=[declaration.org_id],
        details={"version": declaration.version, "fields": fields},
    )
    obligations.refresh(session=session, incident=incident_of(declaration), now=now)
    return entry


def add_event(
    *,
    session: Session,
    declaration: Declaration,
    text: str,
    by: Actor,
    now: datetime,
    kind: LogKind = LogKind.event,
    item: str | None = None,
    at: datetime | None = None,
) -> IncidentLogEntry:
    """Append one entry to the incident log (main courante)."""
    entry = IncidentLogEntry(
        declaration_id=declaration.id,
        at=at or now,
        recorded_at=now,
        kind=kind,
        text=text,
        checklist_item=item,
        author_org_id=by.org_id,
        author_user_id=by.user_id,
    )
    session.add(entry)
    session.flush()
    return entry
