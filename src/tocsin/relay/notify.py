"""Telling a declaration's relays (and its declarant, for what others did) that something
happened to it: a notice through the delivery channels and an audit record."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from tocsin.audit.service import Actor
from tocsin.audit.service import record as audit
from tocsin.delivery.notify import Notice, write_notice
from tocsin.relay.models import Declaration
from tocsin.sharing.rules import Network

# Events the declarant did not cause itself: it is told too.
_DECLARANT_TOLD = frozenset({"qualified", "auto_published", "auto_publish_failed"})
_SUBJECTS = {
    "declared": "New incident declared",
    "closed": "Declaration closed",
    "qualified": "Declaration qualified and shared",
    "auto_published": "Declaration shared automatically: the relay deadline passed",
    "revision_proposed": "The declarant proposes an update",
    "auto_publish_failed": "Automatic sharing failed: qualify by hand",
}


def notify_relays(
    *,
    session: Session,
    declaration: Declaration,
    event: str,
    network: Network,
    now: datetime,
    details: dict[str, Any] | None = None,
) -> frozenset[uuid.UUID]:
    """Tell the declarant's relays (and the declarant, for what others did) that something
    happened to a declaration: a notice through the delivery channels (live stream,
    webhooks, e-mail) and an audit record, in the caller's transaction. Returns the relays."""
    relays = network.relays_of(declaration.org_id)
    told = set(relays) | ({declaration.org_id} if event in _DECLARANT_TOLD else set())
    subject = f"{_SUBJECTS.get(event, event)}: {declaration.title}"
    write_notice(
        session=session,
        notice=Notice(
            kind="declaration", subject=subject, link=f"/declarations/{declaration.id}",
            text=f"{subject} (category {declaration.category}, severity "
                 f"{declaration.severity.value}).",
            severity="critical" if declaration.category >= 4 else declaration.severity.value,
            details={"event": event, "declaration_id": str(declaration.id),
                     "org_id": str(declaration.org_id), "title": declaration.title,
                     **(details or {})},
        ),
        recipients=told,
        now=now,
    )  # fmt: skip
    audit(
        session=session,
        actor=Actor(org_id=None),
        action="declaration.notify",
        target_type="declaration",
        target_id=declaration.id,
        at=now,
        concerns=[declaration.org_id, *relays],
        details={"event": event, "relays": sorted(str(r) for r in relays), **(details or {})},
    )
    return relays
