"""A relay reminds the silent establishments of its perimeter about one alert, at once.

Silence escalates by itself on deadlines; a relay that sees a crisis unfolding may not want
to wait. One action tells every establishment of its perimeter that received the alert and
has not acknowledged it, through the delivery outbox (live stream, webhooks, the e-mail each
user chose), audited once. Never commits.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from tocsin.audit.service import Actor
from tocsin.audit.service import record as audit
from tocsin.delivery.notify import Notice, write_notice
from tocsin.errors import Conflict
from tocsin.responses.service import overseen_alert, responses_of
from tocsin.sharing.rules import Network


def silent_in_perimeter(
    *, session: Session, alert_id: uuid.UUID, relay_id: uuid.UUID, network: Network
) -> list[uuid.UUID]:
    """Recipients that have not acknowledged: within the relay's perimeter, or all of them
    when the relay published the alert itself."""
    alert = overseen_alert(session=session, alert_id=alert_id, viewer_id=relay_id, network=network)
    perimeter = network.members(relay_id) - {relay_id}
    relayed = alert.source_org_id == relay_id
    return sorted(
        row.org_id
        for row in responses_of(session=session, alert_id=alert_id)
        if row.acknowledged_at is None and (relayed or row.org_id in perimeter)
    )


def remind_silent(
    *, session: Session, alert_id: uuid.UUID, relay_id: uuid.UUID, network: Network,
    by: Actor, now: datetime,
) -> list[uuid.UUID]:  # fmt: skip
    """Queue one reminder per silent establishment; returns those reminded (Conflict when
    none is silent, so a double click says so instead of sending nothing quietly)."""
    silent = silent_in_perimeter(session=session, alert_id=alert_id, relay_id=relay_id,
                                 network=network)  # fmt: skip
    if not silent:
        raise Conflict("every establishment has acknowledged this alert")
    alert = overseen_alert(session=session, alert_id=alert_id, viewer_id=relay_id, network=network)
    notice = Notice(
        kind="reminder",
        subject=f"Reminder: acknowledge the alert {alert.title}",
        text="Your relay asks you to read this alert and acknowledge it.",
        link=f"/alerts/{alert.id}",
        severity=alert.severity.value,
        details={"alert_id": str(alert.id), "relay_id": str(relay_id)},
    )
    write_notice(session=session, notice=notice, recipients=silent, now=now)
    audit(session=session, actor=by, action="response.remind", target_type="alert",
          target_id=alert.id, at=now, concerns=[relay_id, *silent],
          details={"reminded": [str(o) for o in silent]})  # fmt: skip
    return silent
