"""What intel does when an alert changes: keys, warninglist flags, expiry, correlation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tocsin.alerts.models import Alert, AlertRevision
from tocsin.alerts.vocab import RevisionAction
from tocsin.intel import campaigns, warninglists
from tocsin.intel.correlate import CORRELATING, by_alert, correlations, store_keys
from tocsin.intel.keys import default_valid_until
from tocsin.intel.models import IndicatorFlag
from tocsin.intel.notify import notify_correlation
from tocsin.sharing.rules import Network


def flag_indicators(
    session: Session, alert: Alert, now: datetime, matches: warninglists.Matches | None = None
) -> int:
    """Index the alert's indicators and flag those on a warninglist; return how many flagged.
    `matches` (from `warninglists.matches_of`, before the write) spares the matching here."""
    session.flush()
    live = [i for i in alert.indicators if i.withdrawn_at is None]
    store_keys(session=session, indicators=live)
    ids = [i.id for i in live]
    known = (
        set(
            session.scalars(
                select(IndicatorFlag.indicator_id).where(IndicatorFlag.indicator_id.in_(ids))
            )
        )
        if ids
        else set()
    )
    given = matches or {}
    flagged = 0
    for row in live:
        if row.id in known:
            continue
        key = (row.type, row.value)
        names = given[key] if key in given else warninglists.default().match(*key)
        if names:
            session.add(IndicatorFlag(indicator_id=row.id, lists="; ".join(names), flagged_at=now))
            flagged += 1
    session.flush()
    return flagged


def set_default_expiry(alert: Alert, revision: AlertRevision, now: datetime) -> None:
    """Give each indicator without `valid_until` the default of its type, in the revision too."""
    filled: dict[str, datetime] = {}
    for row in alert.indicators:
        if row.withdrawn_at is None and row.valid_until is None:
            row.valid_until = default_valid_until(row.type, alert.published_at or now)
            if row.valid_until is not None:
                filled[str(row.id)] = row.valid_until
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
    set_default_expiry(alert, revision, now)
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
