"""What follows a revision, in the caller's transaction, in this order: the audience index;
intel (indicator lifetimes and warninglist flags decide what feeds may carry, then
correlation); the responses the recipients owe; the revision's fan-out (its outbox, expanded
into per-recipient deliveries after the commit: `delivery.fanout`); the TAXII objects owed
(written after the commit, in a short transaction of their own: `alert_feed`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from tocsin.alerts import service as alerts
from tocsin.alerts.models import Alert, AlertRevision
from tocsin.alerts.projection import facts
from tocsin.delivery.fanout import write_fanout
from tocsin.intel import hooks as intel
from tocsin.intel.hooks import Prepared
from tocsin.interop.taxii.alert_feed import owe_alert_objects
from tocsin.responses import service as responses
from tocsin.sharing.rules import Network, audience


def after_revision(
    *, session: Session, alert: Alert, revision: AlertRevision, network: Network, now: datetime,
    prepared: Prepared | None = None,
) -> None:  # fmt: skip
    """Everything a new revision sets in motion; the audience is decided here, once.
    `prepared`: intel's pure work on the new indicators, done before the first write."""
    who = audience(facts(alert), network)
    alerts.store_audience(session=session, alert=alert, readers=who.readers)
    intel.on_revision(session=session, alert=alert, revision=revision, network=network, now=now,
                      prepared=prepared)  # fmt: skip
    responses.on_revision(session=session, alert=alert, revision=revision, audience=who)
    write_fanout(session=session, alert=alert, revision=revision, audience=who, network=network,
                 now=now)  # fmt: skip
    owe_alert_objects(session=session, alert=alert, now=now)


def after_draft(
    *, session: Session, alert: Alert, now: datetime, prepared: Prepared | None = None
) -> None:
    """A draft was created or edited: index its indicators and flag warninglisted ones at
    once, so the author sees them before publishing."""
    intel.flag_indicators(session, alert, now, prepared)
