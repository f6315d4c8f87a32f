"""Reading the trail for one reader: the records of its perimeter, each rendered through
the sharing rules of the alert it is about (`render`). Never commits."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tocsin.alerts.models import Alert, AlertIndicator
from tocsin.alerts.projection import facts
from tocsin.audit import service as audit
from tocsin.audit.models import AuditRecord
from tocsin.audit.schemas import AuditRecordOut
from tocsin.sharing.rules import AlertFacts, Network, can_see
from tocsin.trail.render import Reader, alert_of, named_alerts, render

# How many stored records one page may scan for the reader before answering with what it
# found and a cursor: a relay may have many records it must not see in a row.
SCAN_BUDGET = 5_000


@dataclass(frozen=True)
class TrailQuery:
    after_seq: int | None = None
    since: datetime | None = None
    action: str | None = None


def _uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def _alert_facts(
    session: Session, rows: Sequence[AuditRecordOut]
) -> tuple[dict[str, uuid.UUID], dict[str, AlertFacts]]:
    """The alert of each indicator the rows name, and the facts of each alert they concern."""
    indicator_ids = {i for r in rows if r.target_type == "indicator" if (i := _uuid(r.target_id))}
    indicator_alerts = {
        str(i): a
        for i, a in session.execute(
            select(AlertIndicator.id, AlertIndicator.alert_id).where(
                AlertIndicator.id.in_(indicator_ids)
            )
        )
    } if indicator_ids else {}  # fmt: skip
    named = {t for r in rows for t in named_alerts(r.details)}
    targets = {t for r in rows if (t := alert_of(r, indicator_alerts))}
    alert_ids = {a for t in named | targets if (a := _uuid(t))}
    alerts: Iterable[Alert] = (
        session.scalars(select(Alert).where(Alert.id.in_(alert_ids))) if alert_ids else ()
    )
    return indicator_alerts, {str(a.id): facts(a) for a in alerts}


def _rendered(
    session: Session, rows: Sequence[AuditRecord], reader: Reader, network: Network
) -> Iterator[tuple[int, AuditRecordOut | None]]:
    """Each stored row's sequence number and the record as the reader may read it."""
    records = [AuditRecordOut.model_validate(r) for r in rows]
    if reader.org_id is None:
        yield from ((r.seq, r) for r in records)
        return
    indicator_alerts, alerts = _alert_facts(session, records)
    for record in records:
        alert_id = alert_of(record, indicator_alerts)
        unseen = frozenset(
            a for a in named_alerts(record.details)
            if a not in alerts or not can_see(reader.org_id, alerts[a], network)
        )  # fmt: skip
        shown = render(
            record, reader, alerts.get(alert_id) if alert_id else None, network,
            about_alert=alert_id is not None, unseen_alerts=unseen,
        )  # fmt: skip
        yield record.seq, shown


def read_page(
    *, session: Session, reader: Reader, network: Network, query: TrailQuery, limit: int
) -> tuple[list[AuditRecordOut], int | None]:
    """Up to `limit` records the reader may read, oldest first, and the cursor of the next
    page (None at the end)."""
    items: list[AuditRecordOut] = []
    cursor, scanned = query.after_seq, 0
    while True:
        batch = audit.read_trail(
            session=session, org_ids=reader.perimeter, after_seq=cursor, limit=limit + 1,
            since=query.since, action=query.action,
        )  # fmt: skip
        for seq, shown in _rendered(session, batch, reader, network):
            if shown is not None:
                if len(items) == limit:
                    return items, items[-1].seq
                items.append(shown)
            cursor, scanned = seq, scanned + 1
        if len(batch) <= limit:
            return items, None
        if scanned >= SCAN_BUDGET:
            return items, cursor
