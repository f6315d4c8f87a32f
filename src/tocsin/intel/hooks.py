"""What intel does when an alert changes: keys, warninglist flags, expiry, correlation."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from tocsin.alerts.models import Alert, AlertIndicator, AlertRevision
from tocsin.alerts.vocab import RevisionAction
from tocsin.bulk import insert_rows
from tocsin.clock import as_utc
from tocsin.intel import campaigns, warninglists
from tocsin.intel.correlate import CORRELATING, by_alert, correlations, store_keys
from tocsin.intel.keys import default_valid_until
from tocsin.intel.models import IndicatorFlag
from tocsin.intel.notify import notify_correlation
from tocsin.sharing.rules import Network


def _new_rows(alert: Alert, now: datetime) -> list[AlertIndicator]:
    """The live indicators this transaction inserted (`created_at` is its `now`): every
    indicator is indexed and flagged in the transaction that inserts it, so the others
    (a publish brings none) need no reading back."""
    return [i for i in alert.indicators if i.withdrawn_at is None and as_utc(i.created_at) >= now]


def flag_indicators(
    session: Session, alert: Alert, now: datetime, matches: warninglists.Matches | None = None
) -> int:
    """Index the alert's new indicators and flag those on a warninglist; how many flagged.
    `matches` (from `warninglists.matches_of`, before the write) spares the matching here."""
    session.flush()
    fresh = _new_rows(alert, now)
    if not fresh:
        return 0
    store_keys(session=session, indicators=fresh)
    ids = [i.id for i in fresh]
    known = set(
        session.scalars(
            select(IndicatorFlag.indicator_id).where(IndicatorFlag.indicator_id.in_(ids))
        )
    )
    given = matches or {}
    flags = []
    for row in fresh:
        if row.id in known:
            continue
        key = (row.type, row.value)
        names = given[key] if key in given else warninglists.default().match(*key)
        if names:
            flags.append({"indicator_id": row.id, "lists": "; ".join(names), "flagged_at": now,
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
    matches: warninglists.Matches | None = None,
) -> None:  # fmt: skip
    """Called from `publication.revision.after_revision`, in the publishing transaction."""
    if revision.action not in (RevisionAction.publish, RevisionAction.update):
        return
    set_default_expiry(session, alert, revision, now)
    flag_indicators(session, alert, now, matches)
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
