"""Appending to and verifying the audit trail. The caller owns the transaction."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from tocsin.audit.chain import GENESIS, ChainBreak, record_digest, verify_chain
from tocsin.audit.models import AuditConcern, AuditRecord

# Any constant works: it serialises appenders on PostgreSQL so the chain stays linear.
_CHAIN_LOCK = 7_461_001


@dataclass(frozen=True)
class Actor:
    """Who did it: a user, an organisation, a token, from an address. All optional."""

    user_id: uuid.UUID | None = None
    org_id: uuid.UUID | None = None
    token_id: uuid.UUID | None = None
    source_ip: str | None = None


SYSTEM = Actor()


def _fields(record: AuditRecord) -> dict[str, Any]:
    return {
        "at": record.at.isoformat(),
        "actor_user_id": str(record.actor_user_id) if record.actor_user_id else None,
        "actor_org_id": str(record.actor_org_id) if record.actor_org_id else None,
        "actor_token_id": str(record.actor_token_id) if record.actor_token_id else None,
        "source_ip": record.source_ip,
        "action": record.action,
        "target_type": record.target_type,
        "target_id": record.target_id,
        "concerns": sorted(record.concerns),
        "details": record.details,
    }


def record(
    *,
    session: Session,
    actor: Actor,
    action: str,
    target_type: str,
    target_id: uuid.UUID | str,
    at: datetime,
    concerns: Iterable[uuid.UUID | None] = (),
    details: dict[str, Any] | None = None,
) -> AuditRecord:
    """Append one record to the chain, in the caller's transaction."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _CHAIN_LOCK})
    last = session.scalar(select(AuditRecord.digest).order_by(AuditRecord.seq.desc()).limit(1))
    orgs = {str(o) for o in concerns if o is not None}
    if actor.org_id:
        orgs.add(str(actor.org_id))
    entry = AuditRecord(
        at=at,
        actor_user_id=actor.user_id,
        actor_org_id=actor.org_id,
        actor_token_id=actor.token_id,
        source_ip=actor.source_ip,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        concerns=sorted(orgs),
        details=details or {},
        prev_digest=last or GENESIS,
        digest="",
    )
    entry.digest = record_digest(entry.prev_digest, _fields(entry))
    session.add(entry)
    session.flush()
    session.add_all(AuditConcern(seq=entry.seq, org_id=uuid.UUID(o)) for o in entry.concerns)
    return entry


def verify(*, session: Session) -> list[ChainBreak]:
    """Walk the whole trail in order and report every broken link."""
    rows = session.scalars(select(AuditRecord).order_by(AuditRecord.seq)).yield_per(1000)
    return verify_chain((r.seq, r.prev_digest, r.digest, _fields(r)) for r in rows)


def read_trail(
    *,
    session: Session,
    org_ids: Iterable[uuid.UUID] | None,
    after_seq: int | None,
    limit: int,
    since: datetime | None = None,
    action: str | None = None,
) -> list[AuditRecord]:
    """Records concerning any of `org_ids` (None: all), oldest first, after a sequence number."""
    query = select(AuditRecord).order_by(AuditRecord.seq).limit(limit)
    if org_ids is not None:
        concerned = select(AuditConcern.seq).where(AuditConcern.org_id.in_(list(org_ids)))
        query = query.where(AuditRecord.seq.in_(concerned))
    if after_seq is not None:
        query = query.where(AuditRecord.seq > after_seq)
    if since is not None:
        query = query.where(AuditRecord.at >= since)
    if action:
        query = query.where(AuditRecord.action == action)
    return list(session.scalars(query))
