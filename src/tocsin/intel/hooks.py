"""What intel does when an alert changes: keys, warninglist flags, expiry, correlation."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from tocsin.alerts.models import Alert, AlertIndicator, AlertRevision
from tocsin.alerts.service import inserted_indicators
from tocsin.alerts.vocab import RevisionAction
from tocsin.bulk import insert_rows
from tocsin.indicators.types import IndicatorType
from tocsin.intel import campaigns, warninglists
from tocsin.intel.correlate import CORRELATING, by_alert, correlations, store_keys
from tocsin.intel.keys import IndexKey, default_valid_until, index_key
from tocsin.intel.models import IndicatorFlag
from tocsin.intel.notify import notify_correlation
from tocsin.sharing.rules import Network


@dataclass(frozen=True)
class Prepared:
    """What intel derives from an alert's new (type, value) pairs without a database:
    computed before the transaction's first write, which on SQLite takes the one write lock
    until the commit (50,000 indicators take seconds of matching and key derivation)."""

    matches: warninglists.Matches = field(default_factory=dict)
    keys: dict[tuple[IndicatorType, str], IndexKey] = field(default_factory=dict)


def prepare(pairs: Iterable[tuple[IndicatorType, str]]) -> Prepared:
    """Warninglist matches and index keys of these pairs (pure)."""
    wanted = set(pairs)
    return Prepared(warninglists.matches_of(wanted), {p: index_key(*p) for p in wanted})


def flag_indicators(
    session: Session, alert: Alert, now: datetime, prepared: Prepared | None = None
) -> int:
    """Index the indicators this transaction inserted and flag those on a warninglist; how
    many flagged. Each indicator is indexed and flagged by the transaction that inserts it,
    so nothing is read back; `prepared` spares the pure work under the write lock."""
    fresh = [r for r in inserted_indicators(session, alert.id) if r["withdrawn_at"] is None]
    if not fresh:
        return 0
    done = prepared or Prepared()
    store_keys(session=session, indicators=fresh, keys=done.keys)
    flags = []
    for row in fresh:
        key = (row["type"], row["value"])
        names = done.matches[key] if key in done.matches else warninglists.default().match(*key)
        if names:
            flags.append({"indicator_id": row["id"], "lists": "; ".join(names), "flagged_at": now,
                          "confirmed_at": None, "confirmed_by_org": None})  # fmt: skip
    insert_rows(session, IndicatorFlag.__table__, flags)  # one statement, not one per object
    return len(flags)


def set_default_expiry(
    session: Session, alert: Alert, revision: AlertRevision, now: datetime
) -> None:
    """Give each indicator without `valid_until` the default of its type, in the revision too.
    One UPDATE per type: 50,000 rows written one by one by the unit of work took seconds."""
    session.flush()
    start = alert.published_at or now
    by_type: dict[str, list[AlertIndicator]] = defaultdict(list)
    for row in alert.indicators:
        if row.withdrawn_at is None and row.valid_until is None:
            by_type[row.type].append(row)
    filled: dict[str, datetime] = {}
    for kind, rows in by_type.items():
        until = default_valid_until(kind, start)
        if until is None:
            continue
        session.execute(
            update(AlertIndicator)
            .where(AlertIndicator.alert_id == alert.id, AlertIndicator.type == kind)
            .where(AlertIndicator.valid_until.is_(None), AlertIndicator.withdrawn_at.is_(None))
            .values(valid_until=until)
            .execution_options(synchronize_session=False)
        )
        for row in rows:  # what this transaction reads from now on; already written
            set_committed_value(row, "valid_until", until)
            filled[str(row.id)] = until
    if filled:
        document = dict(revision.document)
        document["indicators"] = [
            {**item, "valid_until": filled[item["id"]].isoformat().replace("+00:00", "Z")}
            if item.get("id") in filled
            else item
            for item in document.get("indicators", [])
        ]
        revision.document = document


def on_revision(
    *, session: Session, alert: Alert, revision: AlertRevision, network: Network, now: datetime,
    prepared: Prepared | None = None,
) -> None:  # fmt: skip
    """Called from `publication.revision.after_revision`, in the publishing transaction."""
    if revision.action not in (RevisionAction.publish, RevisionAction.update):
        return
    set_default_expiry(session, alert, revision, now)
    flag_indicators(session, alert, now, prepared)
    if alert.status not in CORRELATING or alert.exercise:
        return  # an exercise's indicators are invented: they link to no real alert
    found = correlations(session=session, alert_id=alert.id)
    if revision.action is RevisionAction.update:
        found = [m for m in found if m.since >= now]  # only what this update brought
    grouped = by_alert(found)
    if not grouped:
        return
    others = {a.id: a for a in session.scalars(select(Alert).where(Alert.id.in_(grouped)))}
    related = {i: (others[i], grouped[i]) for i in grouped if i in others}
    notify_correlation(session=session, alert=alert, related=related, network=network, now=now)
    campaigns.attach_correlated(
        session=session, alert_id=alert.id, related_ids=list(related), now=now
    )
