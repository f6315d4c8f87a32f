"""Reading and replacing an organisation's on-call list. Never commits."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tocsin.audit.service import Actor
from tocsin.audit.service import record as audit
from tocsin.errors import NotFound
from tocsin.network.principal import Principal
from tocsin.oncall.models import OnCallContact
from tocsin.oncall.schemas import Contact
from tocsin.sharing.rules import Network


def require_reader(principal: Principal, org_id: uuid.UUID, network: Network) -> None:
    """The organisation itself and its relays read its list; for anyone else it is absent."""
    if org_id not in network.orgs or not (
        principal.org_id == org_id or principal.org_id in network.relays_of(org_id)
    ):
        raise NotFound("no such organisation")


def contacts_of(*, session: Session, org_id: uuid.UUID) -> list[OnCallContact]:
    """The list in calling order."""
    query = (
        select(OnCallContact).where(OnCallContact.org_id == org_id).order_by(OnCallContact.position)
    )
    return list(session.scalars(query))


def contacts_of_many(
    *, session: Session, org_ids: set[uuid.UUID]
) -> dict[uuid.UUID, list[OnCallContact]]:
    """The lists of several organisations (a relay's board), each in calling order."""
    found: dict[uuid.UUID, list[OnCallContact]] = {}
    if not org_ids:
        return found
    rows = session.scalars(
        select(OnCallContact)
        .where(OnCallContact.org_id.in_(org_ids))
        .order_by(OnCallContact.org_id, OnCallContact.position)
    )
    for row in rows:
        found.setdefault(row.org_id, []).append(row)
    return found


def replace(
    *, session: Session, org_id: uuid.UUID, contacts: list[Contact], by: Actor, now: datetime
) -> list[OnCallContact]:
    """Write the whole list at once (the form and the API send it whole); audited."""
    session.execute(delete(OnCallContact).where(OnCallContact.org_id == org_id))
    rows = [
        OnCallContact(
            org_id=org_id,
            position=n,
            name=c.name,
            role=c.role,
            phone=c.phone,
            hours=c.hours,
            updated_at=now,
        )
        for n, c in enumerate(contacts)
    ]
    session.add_all(rows)
    session.flush()
    audit(session=session, actor=by, action="oncall.replace", target_type="organisation",
          target_id=org_id, at=now, concerns=[org_id],
          details={"contacts": len(rows)})  # fmt: skip
    return rows
