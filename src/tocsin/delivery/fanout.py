"""The fan-out of one revision: O(1) rows in the publish transaction, the rest after it.

Publishing writes one `revision_fanouts` row: the recipients, each with its payload variant
and the sequence number its live event will carry (reserved now, so the live event can go
out right after the commit with the id a later replay shows). After the commit, a node
claims the row under a lease and expands it, in one transaction of its own, into the
per-recipient `deliveries` (live, webhook, e-mail, SMS) with their stable event ids. A crash
between the commit and the expansion leaves the row unexpanded for the poll to find; the
expansion writes only event ids not already stored and marks the row expanded in the same
transaction, so running it twice writes nothing twice.

What stays in the publish transaction, and why: the audience index (every read's
visibility check uses it from the first second); the responses, although they are the
largest part left (about a third of the publish of 3,000 at load 8): escalation timers and
the relay board read them as soon as the alert is visible, and a recipient who opens the
alert before they exist would lose its read receipt (`responses.mark_received` ignores an
organisation without a response row); moving them would also need a hook from the
publication layer, since `delivery` sits below `responses`. The rendered payloads stay (a
few rows, one per variant): the live events need them. The deliveries only matter to the
dispatchers, which run after the commit anyway.

Without a dispatching worker (`run_workers` off, tools, tests) a listener expands right
after the commit in the committing thread; a dispatching node defers it (`DEFERRED`) to its
worker, which first sends the live events (`dispatch_live.spread`).
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, event, func, or_, select, text, update
from sqlalchemy.orm import Session

from tocsin.alerts.models import Alert, AlertRevision
from tocsin.bulk import insert_rows
from tocsin.delivery.models import Channel, Delivery, DeliveryStatus, RevisionFanout
from tocsin.delivery.outbox import (
    OUTBOX_FLAG,
    delivery_row,
    event_id,
    event_ids,
    payloads_by_recipient,
    revision_targets,
    slow_rows,
)
from tocsin.sharing.rules import Audience, Network

log = logging.getLogger(__name__)

FANOUT_FLAG = "tocsin.fanouts_written"  # in session.info: the fan-outs to expand after commit
DEFERRED = "tocsin.fanout_deferred"  # in the sessionmaker's info: a worker expands them

Target = tuple[uuid.UUID, uuid.UUID, int]  # recipient, payload, live sequence number


def write_fanout(
    *, session: Session, alert: Alert, revision: AlertRevision, audience: Audience,
    network: Network, now: datetime,
) -> RevisionFanout | None:  # fmt: skip
    """Record who gets a revision, to expand after the commit; None when nobody does."""
    targets = sorted(revision_targets(session, alert, revision, audience))
    if not targets:
        return None
    payload_of = payloads_by_recipient(session, alert, set(targets), audience, network)
    seqs = _reserve(session, len(targets))
    fanout = RevisionFanout(
        id=uuid.uuid4(), alert_id=alert.id, revision=revision.number,
        action=revision.action.value, created_at=now,
        targets=[[str(o), str(payload_of[o]), s] for o, s in zip(targets, seqs, strict=True)],
    )  # fmt: skip
    session.add(fanout)
    if session.get_bind().dialect.name != "postgresql":
        # SQLite numbers a row max(seq) + 1: the last reserved row, written now, keeps the
        # range free for the expansion. It is pending like any live row.
        session.flush()
        insert_rows(session, Delivery.__table__, _live_rows(fanout, [target_list(fanout)[-1]]))
    session.info.setdefault(FANOUT_FLAG, set()).add(fanout.id)
    session.info[OUTBOX_FLAG] = True
    return fanout


def _reserve(session: Session, count: int) -> list[int]:
    """`count` outbox sequence numbers for the live events, in increasing order."""
    if session.get_bind().dialect.name == "postgresql":
        numbers = session.scalars(
            text("SELECT nextval(pg_get_serial_sequence('deliveries', 'seq')) "
                 "FROM generate_series(1, :count)"),
            {"count": count},
        )  # fmt: skip
        return sorted(numbers)
    # The publish transaction has written already, so it holds SQLite's one write lock.
    top = session.scalar(select(func.max(Delivery.seq))) or 0
    return list(range(top + 1, top + count + 1))


def target_list(fanout: RevisionFanout) -> list[Target]:
    return [(uuid.UUID(org), uuid.UUID(payload), int(seq)) for org, payload, seq in fanout.targets]


def live_event_id(fanout: RevisionFanout, org_id: uuid.UUID) -> uuid.UUID:
    return event_id(fanout.alert_id, fanout.revision, org_id, Channel.live, org_id)


def _live_rows(fanout: RevisionFanout, targets: list[Target]) -> list[dict[str, Any]]:
    event_of = event_ids(fanout.alert_id, fanout.revision)
    return [
        delivery_row(fanout.alert_id, fanout.revision, fanout.action, org, payload,
                     fanout.created_at)
        | {"seq": seq, "event_id": event_of(org, Channel.live, org), "channel": Channel.live,
           "endpoint_id": None, "user_id": None}
        for org, payload, seq in targets
    ]  # fmt: skip


def claim_fanouts(
    session: Session, *, now: datetime, lease: timedelta, limit: int,
    ids: set[uuid.UUID] | None = None, older_than: datetime | None = None,
) -> list[RevisionFanout]:  # fmt: skip
    """Lease unexpanded fan-outs (these `ids`, or any created before `older_than`), so that
    one node only expands each."""
    free = or_(RevisionFanout.lease_until.is_(None), RevisionFanout.lease_until < now)
    query = select(RevisionFanout.id).where(RevisionFanout.expanded_at.is_(None), free)
    if ids is not None:
        query = query.where(RevisionFanout.id.in_(ids))
    if older_than is not None:
        query = query.where(RevisionFanout.created_at < older_than)
    query = query.order_by(RevisionFanout.created_at).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    candidates = list(session.scalars(query))
    if not candidates:
        return []
    taken = session.scalars(
        update(RevisionFanout)
        .where(RevisionFanout.id.in_(candidates), RevisionFanout.expanded_at.is_(None), free)
        .values(lease_until=now + lease)
        .returning(RevisionFanout.id)
    ).all()
    if not taken:
        return []
    chosen = select(RevisionFanout).where(RevisionFanout.id.in_(taken))
    return list(session.scalars(chosen.order_by(RevisionFanout.created_at)))


def mark_live_sent(session: Session, fanout_id: uuid.UUID, now: datetime) -> None:
    """The live events are going out on the bus: a replay shows them before the expansion
    (a stream that connects between this and the bus message gets the event twice, with one
    id, and keeps it once)."""
    session.execute(
        update(RevisionFanout).where(RevisionFanout.id == fanout_id).values(live_sent_at=now)
    )


def sent_not_expanded(session: Session, org_id: uuid.UUID, after_seq: int) -> list[Delivery]:
    """The live events of `org_id` after `after_seq` that went out straight from a fan-out
    not expanded yet, as the (unsaved) rows the expansion will write, for a replay."""
    fanouts = session.scalars(
        select(RevisionFanout).where(
            RevisionFanout.live_sent_at.is_not(None), RevisionFanout.expanded_at.is_(None)
        )
    )
    found = []
    for fanout in fanouts:
        for org, payload, seq in target_list(fanout):
            if org == org_id and seq > after_seq:
                found.append(
                    Delivery(
                        seq=seq, event_id=live_event_id(fanout, org), alert_id=fanout.alert_id,
                        revision=fanout.revision, action=fanout.action, recipient_org_id=org,
                        channel=Channel.live, payload_id=payload, created_at=fanout.created_at,
                        status=DeliveryStatus.delivered, delivered_at=fanout.live_sent_at,
                    )
                )  # fmt: skip
    return found


def expand(
    session: Session, fanout: RevisionFanout, *, now: datetime, sent_at: datetime | None = None
) -> list[int]:
    """Write the deliveries of a claimed fan-out not written yet and mark it expanded; returns
    the live rows recorded as delivered. `sent_at`: when the bus took its live events (only
    the node that sent them knows); else the live rows are pending for the dispatcher."""
    alert = session.get(Alert, fanout.alert_id)
    targets = target_list(fanout)
    stored = set(
        session.scalars(
            select(Delivery.event_id).where(
                Delivery.alert_id == fanout.alert_id, Delivery.revision == fanout.revision
            )
        )
    )
    live = _live_rows(fanout, targets)
    sent = sent_at
    if sent is not None:
        for row in live:
            row |= {"status": DeliveryStatus.delivered, "delivered_at": sent}
    slow: list[dict[str, Any]] = []
    if alert is not None:
        payload_of = {org: payload for org, payload, _seq in targets}
        slow = slow_rows(
            session, alert=alert, revision=fanout.revision, action=fanout.action,
            payload_of=payload_of, created_at=fanout.created_at,
        )  # fmt: skip
    for rows in (live, slow):  # the live rows carry their reserved sequence numbers
        insert_rows(session, Delivery.__table__, [r for r in rows if r["event_id"] not in stored])
    delivered = [row["seq"] for row in live] if sent is not None else []
    if sent is not None and stored:  # the row written with the fan-out went out too
        session.execute(
            update(Delivery)
            .where(Delivery.seq.in_(delivered), Delivery.status == DeliveryStatus.pending)
            .values(status=DeliveryStatus.delivered, delivered_at=sent, lease_until=None)
        )
    fanout.expanded_at = now
    fanout.lease_until = None
    session.info[OUTBOX_FLAG] = True
    return delivered


def expand_now(factory: type[Session], engine: Engine, ids: set[uuid.UUID]) -> None:
    """Expand `ids` in a transaction of its own (no worker to defer to). A fan-out another
    node holds (lease) or expands (row lock) is left to it. `factory`: the committing
    session's class, so that the listeners of its sessionmaker (the worker's wake-up) hear
    this commit too."""
    query = select(RevisionFanout).where(
        RevisionFanout.id.in_(ids),
        RevisionFanout.expanded_at.is_(None),
        RevisionFanout.lease_until.is_(None),
    )
    if engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    try:
        with factory(bind=engine, expire_on_commit=False) as session, session.begin():
            for fanout in session.scalars(query):
                expand(session, fanout, now=fanout.created_at)
    except Exception:  # the publish is committed: the poll of a worker expands it later
        log.exception("expanding fan-outs %s after the commit failed", sorted(map(str, ids)))


@event.listens_for(Session, "after_commit")
def _expand_after_commit(session: Session) -> None:
    if session.info.get(DEFERRED) or FANOUT_FLAG not in session.info:
        return
    ids = session.info.pop(FANOUT_FLAG)
    bind = session.get_bind()
    expand_now(type(session), bind if isinstance(bind, Engine) else bind.engine, ids)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(FANOUT_FLAG, None)
