"""Appending to and verifying the audit trail. The caller owns the transaction."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import event, select, text
from sqlalchemy.orm import Session, SessionTransaction

from tocsin.audit.anchor import Checkpoint, compare
from tocsin.audit.chain import (
    GENESIS,
    LEGACY,
    ChainBreak,
    Keyring,
    Link,
    key_id,
    record_digest,
    verify_chain,
)
from tocsin.audit.models import AuditConcern, AuditRecord
from tocsin.db import AUDIT_KEY_INFO
from tocsin.settings import DEVELOPMENT_AUDIT_KEY, Settings

# Any constant works: it serialises appenders on PostgreSQL so the chain stays linear.
_CHAIN_LOCK = 7_461_001
# The session's `info` entry holding the records its transaction has added, not yet linked.
_PENDING = "audit_pending"


@dataclass(frozen=True)
class Actor:
    """Who did it: a user, an organisation, a token, from an address. All optional."""

    user_id: uuid.UUID | None = None
    org_id: uuid.UUID | None = None
    token_id: uuid.UUID | None = None
    source_ip: str | None = None


SYSTEM = Actor()


def keyring_of(settings: Settings) -> Keyring:
    """The node's audit keys, from its settings."""
    return Keyring(
        current=settings.audit_key.get_secret_value().encode(),
        previous=tuple(k.get_secret_value().encode() for k in settings.audit_previous_keys),
    )


def _signing_key(session: Session) -> bytes:
    # A session made without the node's key (a test's own sessionmaker) signs with the
    # development key; verification then names the key, so such records cannot pass unseen.
    key = session.info.get(AUDIT_KEY_INFO)
    return key if isinstance(key, bytes) else DEVELOPMENT_AUDIT_KEY.encode()


def _fields(record: AuditRecord) -> dict[str, Any]:
    fields = {
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
    if record.key_id != LEGACY:  # records from before keys were chained without it
        fields["key_id"] = record.key_id
    return fields


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
    """Add one record to the chain in the caller's transaction, linked when it commits.

    The link (the previous record's digest) is taken when the transaction commits, not now:
    on PostgreSQL it needs the chain's lock until the commit, and taken here it was held
    through the rest of the transaction, so a member's large alert (its `alert.create`
    first, then seconds of inserts) made every audited action of every other member wait.
    """
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
        digest="",
    )
    session.connection()  # begins the transaction, so that its end, however, is seen
    if not event.contains(session, "before_commit", _link_pending):
        event.listen(session, "before_commit", _link_pending)
        event.listen(session, "after_transaction_end", _forget_pending)
    session.info.setdefault(_PENDING, []).append(entry)
    return entry


def _link_pending(session: Session) -> None:
    """Chain the transaction's records, in the order they were added, and write them."""
    pending: list[AuditRecord] = session.info.pop(_PENDING, [])
    if not pending:
        return
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _CHAIN_LOCK})
    last = session.scalar(select(AuditRecord.digest).order_by(AuditRecord.seq.desc()).limit(1))
    key = _signing_key(session)
    for entry in pending:
        entry.prev_digest = last or GENESIS
        entry.key_id = key_id(key)
        entry.digest = record_digest(entry.prev_digest, _fields(entry), key)
        last = entry.digest
        session.add(entry)
        session.flush()  # each record's own sequence number, in chain order
    session.add_all(
        AuditConcern(seq=entry.seq, org_id=uuid.UUID(o))
        for entry in pending
        for o in entry.concerns
    )
    session.flush()


def _forget_pending(session: Session, transaction: SessionTransaction) -> None:
    # Committed, they were written; rolled back (even before any statement), they never were.
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


def head(*, session: Session) -> tuple[int, str]:
    """The last record's sequence number and digest ((0, GENESIS) for an empty trail)."""
    row = session.execute(
        select(AuditRecord.seq, AuditRecord.digest).order_by(AuditRecord.seq.desc()).limit(1)
    ).first()
    return (row[0], row[1]) if row else (0, GENESIS)


def _concern_breaks(session: Session, records: Sequence[AuditRecord]) -> Iterator[ChainBreak]:
    """Records whose rows in the `audit_concerns` index differ from their own `concerns`:
    a deleted row hides the record from the readers it concerns."""
    if not records:
        return
    indexed: dict[int, set[str]] = {}
    rows = session.execute(
        select(AuditConcern.seq, AuditConcern.org_id).where(
            AuditConcern.seq.between(records[0].seq, records[-1].seq)
        )
    )
    for seq, org_id in rows:
        indexed.setdefault(seq, set()).add(str(org_id))
    for record in records:
        found = indexed.get(record.seq, set())
        if found != set(record.concerns):
            missing = ", ".join(sorted(set(record.concerns) - found)) or "none"
            extra = ", ".join(sorted(found - set(record.concerns))) or "none"
            yield ChainBreak(record.seq, f"audit_concerns index rows differ (missing: "
                                         f"{missing}; not in the record: {extra})")  # fmt: skip


def verify(
    *, session: Session, keyring: Keyring | None = None, checkpoints: Sequence[Checkpoint] = ()
) -> list[ChainBreak]:
    """Walk the whole trail in order and report every broken link, every record the
    concerns index lost, and whatever the checkpoints kept outside show missing or changed."""
    keyring = keyring or Keyring(current=DEVELOPMENT_AUDIT_KEY.encode())
    wanted = {p.seq for p in checkpoints}
    digests: dict[int, str] = {}
    breaks: list[ChainBreak] = []
    last_seq = 0

    def links() -> Iterator[Link]:
        nonlocal last_seq
        for batch in _batches(session):
            breaks.extend(_concern_breaks(session, batch))
            for r in batch:
                if r.seq in wanted:
                    digests[r.seq] = r.digest
                last_seq = r.seq
                yield Link(r.seq, r.prev_digest, r.digest, r.key_id, _fields(r))

    breaks += verify_chain(links(), keyring)
    breaks += compare(list(checkpoints), last_seq, digests)
    return sorted(breaks, key=lambda b: b.seq)


def _batches(session: Session, size: int = 1000) -> Iterator[Sequence[AuditRecord]]:
    """The whole trail in order, a batch at a time (no cursor held open between batches)."""
    after = 0
    while True:
        query = select(AuditRecord).where(AuditRecord.seq > after).order_by(AuditRecord.seq)
        batch = list(session.scalars(query.limit(size)))
        if not batch:
            return
        yield batch
        for record in batch:  # keep the identity map small over a long trail
            session.expunge(record)
        after = batch[-1].seq


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
