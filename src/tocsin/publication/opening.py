"""Opening an alert for a reader: the one read path of every door (API, pages, downloads).

Visibility first (an alert the reader may not see is absent, never forbidden); then the
audit of sensitive reads (AMBER+STRICT and RED, by anyone but the source); then the
recipient's receipt (reading an alert means it was received, whatever the channel).

The audit record and the receipt are written in the read's own transaction, before its
answer leaves: on SQLite they queue for the database's one write lock behind a member's
large alert. Recording them later (an in-process queue flushed every second and at
shutdown) would free the read from the lock, but a crash would lose audit records of
AMBER+STRICT and RED reads that the answer has already disclosed, and the receipts that
stop escalations. So the reads keep writing at once, and the large writes keep their lock
holds short instead (pure work before the first write, the TAXII objects and the answer
after the commit). Only the first read marks the receipt: later reads of an alert that is
not sensitive write nothing, and never wait for the lock.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from tocsin.alerts import reads
from tocsin.alerts.models import Alert
from tocsin.audit.service import Actor
from tocsin.audit.service import record as audit
from tocsin.responses.service import mark_received
from tocsin.sharing.rules import Network
from tocsin.sharing.tlp import TLP

SENSITIVE = frozenset({TLP.amber_strict, TLP.red})


def open_alert(
    *, session: Session, alert_id: uuid.UUID, viewer_id: uuid.UUID, by: Actor,
    network: Network, now: datetime, door: str,
) -> Alert:  # fmt: skip
    """The alert as `viewer_id` may read it, audited and marked received; NotFound if hidden.

    `door` names where it was read (api, page, csv, stix, misp, cli), kept in the audit."""
    alert = reads.get_visible(
        session=session, alert_id=alert_id, viewer_id=viewer_id, network=network
    )
    if alert.tlp in SENSITIVE and viewer_id != alert.source_org_id:
        audit(
            session=session, actor=by, action="alert.read", target_type="alert",
            target_id=alert.id, at=now, concerns=[alert.source_org_id],
            details={"tlp": alert.tlp.value, "revision": alert.revision, "door": door},
        )  # fmt: skip
    mark_received(session, alert.id, viewer_id, now)
    return alert
