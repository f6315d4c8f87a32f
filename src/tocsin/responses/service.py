"""Responses of recipient organisations: received, acknowledged, applicability, updates, closed.

Functions never commit: the caller owns the transaction. Every change is kept in
`alert_response_changes` and audited.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from tocsin.alerts.models import Alert
from tocsin.alerts.projection import facts
from tocsin.alerts.reads import get_visible
from tocsin.alerts.vocab import Status
from tocsin.audit.service import SYSTEM, Actor
from tocsin.audit.service import record as audit
from tocsin.bulk import insert_rows
from tocsin.errors import Conflict, Forbidden
from tocsin.network.principal import Principal
from tocsin.responses.deadlines import DeadlinePolicy, Obligation, Stage, due_at
from tocsin.responses.models import AlertResponse, Escalation, EscalationStatus, ResponseChange
from tocsin.responses.schemas import ResponseIn
from tocsin.settings import Settings
from tocsin.sharing.rules import Audience, Network, recipients

if TYPE_CHECKING:
    from tocsin.alerts.models import AlertRevision


def policy_from(settings: Settings) -> DeadlinePolicy:
    """The deadline policy configured for this node."""
    return DeadlinePolicy.of(
        critical_minutes=settings.ack_deadline_critical_minutes,
        high_minutes=settings.ack_deadline_high_minutes,
        medium_minutes=settings.ack_deadline_medium_minutes,
        first_update_days=settings.first_update_deadline_days,
        relay_delay_minutes=settings.escalation_relay_delay_minutes,
    )


def on_revision(
    *, session: Session, alert: Alert, revision: AlertRevision, audience: Audience
) -> None:
    """Open a response for each new responder (not the relays, not the establishment hit);
    drop the timers the tick must plan again."""
    current = audience.responders
    rows = session.scalars(select(AlertResponse).where(AlertResponse.alert_id == alert.id))
    known = {row.org_id: row for row in rows}
    for org_id, row in known.items():
        row.recipient = org_id in current
    new = sorted(current - known.keys()) if alert.status.is_live else []
    if new:  # one multi-row INSERT: a national alert reaches thousands of organisations
        opened = revision.created_at
        insert_rows(
            session,
            AlertResponse.__table__,
            [
                {"id": uuid.uuid4(), "alert_id": alert.id, "org_id": org_id, "recipient": True,
                 "reached_revision": revision.number, "reached_at": opened, "updates": [],
                 "changed_at": opened}
                for org_id in new
            ],
        )  # fmt: skip
    # Severity, scope or status may have changed: pending timers are re-planned by the tick.
    session.execute(
        delete(Escalation).where(
            Escalation.alert_id == alert.id, Escalation.status == EscalationStatus.pending
        )
    )


def mark_received(session: Session, alert_id: uuid.UUID, org_id: uuid.UUID, at: datetime) -> bool:
    """Record that a recipient got the alert (first delivery or read); True the first time.

    Idempotent and safe under concurrency: only the caller that sets `received_at` writes
    the history and audit records. A non-recipient (the source, a relay) is ignored.

    Looked up before the update: every read after the first needs no write, and on SQLite
    an UPDATE takes the database's one write lock even when it matches nothing, which would
    queue each read behind a member's large alert.
    """
    pending = (
        AlertResponse.alert_id == alert_id,
        AlertResponse.org_id == org_id,
        AlertResponse.recipient.is_(True),
        AlertResponse.received_at.is_(None),
    )
    if session.scalar(select(AlertResponse.org_id).where(*pending)) is None:
        return False
    claimed = session.execute(
        update(AlertResponse)
        .where(*pending)
        .values(received_at=at, changed_at=at)
        .execution_options(synchronize_session=False)
    )
    if getattr(claimed, "rowcount", 0) != 1:
        return False
    _record(session, alert_id, org_id, SYSTEM, at, {"received": {"from": None, "to": at}})
    return True


def mark_received_on_delivery(
    *, session: Session, pairs: set[tuple[uuid.UUID, uuid.UUID]], at: datetime
) -> int:
    """The first delivery on any channel marks (alert, organisation) pairs received; returns
    how many were marked now. Set-based with one audit record per alert, because a fan-out
    hands thousands of deliveries over at once."""
    marked: dict[uuid.UUID, list[uuid.UUID]] = {}
    for alert_id in {a for a, _ in pairs}:
        orgs = [o for a, o in pairs if a == alert_id]
        rows = session.execute(
            update(AlertResponse)
            .where(AlertResponse.alert_id == alert_id, AlertResponse.org_id.in_(orgs),
                   AlertResponse.recipient.is_(True), AlertResponse.received_at.is_(None))
            .values(received_at=at, changed_at=at)
            .returning(AlertResponse.org_id)
            .execution_options(synchronize_session=False)
        )  # fmt: skip
        marked[alert_id] = sorted(rows.scalars())
    changes = {"received": {"from": None, "to": at.isoformat()}}
    history = [{"alert_id": a, "org_id": o, "at": at, "actor_user_id": None,
                "actor_token_id": None, "changes": changes}
               for a, orgs in marked.items() for o in orgs]  # fmt: skip
    if history:
        session.execute(insert(ResponseChange), history)
    for alert_id, orgs in marked.items():
        if orgs:
            audit(session=session, actor=SYSTEM, action="response.received", target_type="alert",
                  target_id=alert_id, at=at, concerns=orgs,
                  details={"organisations": [str(o) for o in orgs], "via": "delivery"})  # fmt: skip
    return len(history)


def _response_of(
    session: Session, alert_id: uuid.UUID, org_id: uuid.UUID, *, lock: bool = False
) -> AlertResponse:
    query = select(AlertResponse).where(
        AlertResponse.alert_id == alert_id, AlertResponse.org_id == org_id
    )
    # Two retries of one PUT at once must not both record the change (no-op on SQLite,
    # where writers are serialised anyway).
    row = session.scalar(query.with_for_update() if lock else query)
    if row is None or not row.recipient:
        raise Forbidden(
            "your organisation is not a recipient of this alert: only recipients respond"
        )
    return row


def own_response(
    *, session: Session, alert_id: uuid.UUID, org_id: uuid.UUID, network: Network
) -> tuple[Alert, AlertResponse]:
    """The alert and the response of a recipient organisation that can see it."""
    alert = get_visible(session=session, alert_id=alert_id, viewer_id=org_id, network=network)
    return alert, _response_of(session, alert_id, org_id)


def respond(
    *,
    session: Session,
    alert_id: uuid.UUID,
    by: Principal,
    change: ResponseIn,
    network: Network,
    now: datetime,
) -> tuple[Alert, AlertResponse]:
    """Set the caller organisation's response; the same body twice changes nothing."""
    alert = get_visible(session=session, alert_id=alert_id, viewer_id=by.org_id, network=network)
    row = _response_of(session, alert_id, by.org_id, lock=True)
    by.require_writer()
    if change.acknowledged and by.is_integration:
        raise Forbidden("an acknowledgement is made by a person: integration tokens may not")
    if alert.status is Status.retracted:
        raise Conflict("this alert was retracted: there is nothing to respond to")
    changes = _apply(row, change, by, now)
    if changes:
        row.changed_at = now
        _record(session, alert_id, by.org_id, by.actor, now, changes, alert.source_org_id)
        _stop_timers(session, row)
    return alert, row


def _apply(row: AlertResponse, change: ResponseIn, by: Principal, now: datetime) -> dict[str, Any]:
    """Apply the body to the row; return what changed, {field: {from, to}}."""
    changes: dict[str, Any] = {}
    if row.received_at is None:  # answering implies having received it
        changes["received"] = {"from": None, "to": now}
        row.received_at = now
    if change.acknowledged is True and row.acknowledged_at is None:
        changes["acknowledged"] = {"from": None, "to": now}
        row.acknowledged_at, row.acknowledged_by = now, by.user_id
    elif change.acknowledged is False and row.acknowledged_at is not None:
        raise Conflict("an acknowledgement cannot be withdrawn")
    if change.applicability is not None and change.applicability != row.applicability:
        changes["applicability"] = {"from": row.applicability, "to": change.applicability}
        row.applicability = change.applicability
    last_text = row.updates[-1]["text"] if row.updates else None
    if change.update is not None and change.update != last_text:
        entry = {"at": now.isoformat(), "by": str(by.user_id) if by.user_id else None}
        row.updates = [*row.updates, {**entry, "text": change.update}]
        row.last_update_at = now
        changes["update"] = change.update
    if change.closed is not None and change.closed != (row.closed_at is not None):
        changes["closed"] = {"from": row.closed_at, "to": now if change.closed else None}
        row.closed_at = now if change.closed else None
    return changes


def _stop_timers(session: Session, row: AlertResponse) -> None:
    """Meeting an obligation stops its pending escalation; fired ones stay as history."""
    met = [o for o in Obligation if obligation_met(row, o)]
    if met:
        session.execute(
            delete(Escalation).where(
                Escalation.alert_id == row.alert_id,
                Escalation.org_id == row.org_id,
                Escalation.status == EscalationStatus.pending,
                Escalation.obligation.in_(met),
            )
        )


def obligation_met(row: AlertResponse, obligation: Obligation) -> bool:
    """Acknowledged; or, for the first update, an update posted or the response closed."""
    if obligation is Obligation.acknowledge:
        return row.acknowledged_at is not None
    return bool(row.updates) or row.closed_at is not None


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, datetime):
        return value.isoformat()
    return value.value if hasattr(value, "value") else value


def _record(
    session: Session,
    alert_id: uuid.UUID,
    org_id: uuid.UUID,
    actor: Actor,
    at: datetime,
    changes: dict[str, Any],
    source_org_id: uuid.UUID | None = None,
) -> None:
    safe = _json_safe(changes)
    session.add(
        ResponseChange(
            alert_id=alert_id,
            org_id=org_id,
            at=at,
            actor_user_id=actor.user_id,
            actor_token_id=actor.token_id,
            changes=safe,
        )
    )
    audit(
        session=session,
        actor=actor,
        action="response.received" if list(changes) == ["received"] else "response.change",
        target_type="alert",
        target_id=alert_id,
        at=at,
        concerns=[org_id, source_org_id],
        details={"organisation_id": str(org_id), "changes": safe},
    )


def require_overseer(*, alert: Alert, viewer_id: uuid.UUID, network: Network) -> None:
    """Only the source and the relays of the source or of a recipient see every response."""
    alert_facts = facts(alert)
    if viewer_id == alert.source_org_id or viewer_id in network.relays_of(alert.source_org_id):
        return
    overseen = set(recipients(alert_facts, network))
    if alert.affected_org_id is not None:
        overseen.add(alert.affected_org_id)
    if any(viewer_id in network.relays_of(r) for r in overseen):
        return
    raise Forbidden(
        "only the alert's source and the relays of its source or recipients see all responses"
    )


def overseen_alert(
    *, session: Session, alert_id: uuid.UUID, viewer_id: uuid.UUID, network: Network
) -> Alert:
    """The alert, if the viewer may see it (404 otherwise) and oversee its responses (403)."""
    alert = get_visible(session=session, alert_id=alert_id, viewer_id=viewer_id, network=network)
    require_overseer(alert=alert, viewer_id=viewer_id, network=network)
    return alert


def responses_of(*, session: Session, alert_id: uuid.UUID) -> list[AlertResponse]:
    """The responses of the recipients at the latest revision."""
    query = select(AlertResponse).where(
        AlertResponse.alert_id == alert_id, AlertResponse.recipient.is_(True)
    )
    return list(session.scalars(query))


def changes_of(*, session: Session, alert_id: uuid.UUID, org_id: uuid.UUID) -> list[ResponseChange]:
    """The history of one organisation's response, oldest first."""
    query = (
        select(ResponseChange)
        .where(ResponseChange.alert_id == alert_id, ResponseChange.org_id == org_id)
        .order_by(ResponseChange.at, ResponseChange.id)
    )
    return list(session.scalars(query))


def escalations_of(*, session: Session, alert_id: uuid.UUID) -> list[Escalation]:
    """Escalations of an alert, fired and pending, by due time."""
    query = (
        select(Escalation)
        .where(Escalation.alert_id == alert_id)
        .order_by(Escalation.due_at, Escalation.stage, Escalation.id)
    )
    return list(session.scalars(query))


def response_of(
    *, session: Session, alert_id: uuid.UUID, org_id: uuid.UUID
) -> AlertResponse | None:
    """One organisation's response to an alert, if it was ever a recipient."""
    query = select(AlertResponse).where(
        AlertResponse.alert_id == alert_id, AlertResponse.org_id == org_id
    )
    return session.scalar(query)


def responses_to(
    *, session: Session, org_id: uuid.UUID, alert_ids: list[uuid.UUID]
) -> list[tuple[AlertResponse, Alert]]:
    """An organisation's responses to some alerts, with each alert."""
    if not alert_ids:
        return []
    rows = session.execute(
        select(AlertResponse, Alert)
        .join(Alert, Alert.id == AlertResponse.alert_id)
        .where(AlertResponse.org_id == org_id, AlertResponse.alert_id.in_(alert_ids))
    )
    return [(row, alert) for row, alert in rows]


def escalates_at(policy: DeadlinePolicy, alert: Alert, row: AlertResponse) -> datetime | None:
    """When a recipient's silence reaches its director, while it has not acknowledged."""
    if row.acknowledged_at is not None or not row.recipient:
        return None
    return due_at(policy, Obligation.acknowledge, Stage.director, alert.severity, row.reached_at)
