"""The incident log (main courante) and the first-response checklist of a declaration.

Anyone in the crisis cell (the declaring establishment and its relays) adds entries; the
declaring establishment ticks the checklist, and each tick is an entry of the log.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tocsin.audit.service import Actor
from tocsin.audit.service import record as audit
from tocsin.errors import Conflict, InvalidInput
from tocsin.relay import playbooks, service
from tocsin.relay.models import Declaration, IncidentLogEntry
from tocsin.relay.schemas import CLOCK_SKEW, ChecklistItemOut, LogEntryIn, TickIn
from tocsin.relay.vocab import LogKind
from tocsin.sharing.rules import Network


def add_entry(
    *,
    session: Session,
    declaration_id: uuid.UUID,
    entry: LogEntryIn,
    org_id: uuid.UUID,
    by: Actor,
    network: Network,
    now: datetime,
) -> IncidentLogEntry:
    """A free entry by a member of the crisis cell."""
    declaration = service.get_visible(
        session=session, declaration_id=declaration_id, viewer_id=org_id, network=network
    )
    if entry.at is not None and entry.at > now + CLOCK_SKEW:
        raise InvalidInput.one("at", "is in the future")
    row = service.add_event(
        session=session,
        declaration=declaration,
        text=entry.text,
        by=by,
        now=now,
        kind=LogKind.note,
        at=entry.at,
    )
    _audit(session, declaration, by, "declaration.log", now, {"entry": str(row.id)})
    return row


def tick(
    *,
    session: Session,
    declaration_id: uuid.UUID,
    key: str,
    change: TickIn,
    org_id: uuid.UUID,
    by: Actor,
    network: Network,
    now: datetime,
) -> Declaration:
    """The declarant ticks (or unticks) a checklist item; the log keeps it."""
    declaration = service.get_own(
        session=session, declaration_id=declaration_id, org_id=org_id, network=network
    )
    if not playbooks.checklist_for(declaration.kind):
        raise Conflict("no first-response checklist applies to this kind of incident")
    item = playbooks.item(declaration.kind, key)
    if item is None:
        keys = ", ".join(i.key for i in playbooks.checklist_for(declaration.kind))
        raise InvalidInput.one("item", f"unknown checklist item; expected one of: {keys}")
    ticks = dict(declaration.checklist)
    if change.done:
        ticks[key] = {"at": now.isoformat(), "by": str(by.user_id) if by.user_id else None}
    else:
        ticks.pop(key, None)
    declaration.checklist = ticks
    declaration.updated_at = now
    text = f"{'Done' if change.done else 'Undone'}: {item.text}"
    if change.note:
        text += f" — {change.note}"
    service.add_event(
        session=session,
        declaration=declaration,
        text=text,
        by=by,
        now=now,
        kind=LogKind.checklist,
        item=key,
    )
    _audit(
        session, declaration, by, "declaration.checklist", now, {"item": key, "done": change.done}
    )
    return declaration


def checklist(declaration: Declaration) -> list[ChecklistItemOut]:
    """The checklist items with their ticks."""
    out: list[ChecklistItemOut] = []
    for item in playbooks.checklist_for(declaration.kind):
        done = declaration.checklist.get(item.key)
        out.append(
            ChecklistItemOut(
                key=item.key,
                text=item.text,
                done_at=datetime.fromisoformat(done["at"]) if done else None,
                done_by=uuid.UUID(done["by"]) if done and done.get("by") else None,
            )
        )
    return out


def entries(
    *, session: Session, declaration_id: uuid.UUID, viewer_id: uuid.UUID, network: Network
) -> list[IncidentLogEntry]:
    """The log in the order things happened."""
    service.get_visible(
        session=session, declaration_id=declaration_id, viewer_id=viewer_id, network=network
    )
    query = (
        select(IncidentLogEntry)
        .where(IncidentLogEntry.declaration_id == declaration_id)
        .order_by(IncidentLogEntry.at, IncidentLogEntry.recorded_at)
    )
    return list(session.scalars(query))


def _audit(
    session: Session,
    declaration: Declaration,
    by: Actor,
    action: str,
    now: datetime,
    details: dict[str, object],
) -> None:
    audit(
        session=session,
        actor=by,
        action=action,
        target_type="declaration",
        target_id=declaration.id,
        at=now,
        concerns=[declaration.org_id],
        details=details,
    )
