"""What else happens, in the same transaction, when an alert gets a new revision.

Kept as one explicit function (not a plug-in registry) so the whole publish path reads
top to bottom: the outbox of deliveries is written here by the delivery package.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from tocsin.sharing.rules import Network

if TYPE_CHECKING:
    from tocsin.alerts.models import Alert, AlertRevision


def after_revision(
    *, session: Session, alert: Alert, revision: AlertRevision, network: Network, now: datetime
) -> None:
    """Called by the alert lifecycle after each revision is stored, in this order:
    intel first (indicator lifetimes and warninglist flags decide what feeds may carry),
    then responses (the recipients' rows), the outbox of deliveries, and the TAXII objects.
    """
    # Imported late: each of these packages imports alerts.
    from tocsin.delivery.outbox import write_outbox
    from tocsin.intel.hooks import on_revision as intel_on_revision
    from tocsin.interop.taxii import alert_feed as taxii_feed
    from tocsin.responses import service as responses

    intel_on_revision(session=session, alert=alert, revision=revision, network=network, now=now)
    responses.on_revision(session=session, alert=alert, revision=revision, network=network)
    write_outbox(session=session, alert=alert, revision=revision, network=network, now=now)
    taxii_feed.publish_alert_objects(session=session, alert=alert, network=network, now=now)


def on_draft(*, session: Session, alert: Alert, now: datetime) -> None:
    """Called when a draft is created or edited: flag warninglisted indicators at once."""
    from tocsin.intel.hooks import flag_indicators

    flag_indicators(session, alert, now)
