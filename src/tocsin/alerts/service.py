"""The lifecycle of an alert: draft, publish, update, close, retract.

Functions never commit: the request, task or command that calls them owns the transaction.
Every change writes an audit record; every publish, update, close or retract also writes an
immutable revision. What follows a revision (the audience index, responses, deliveries,
correlation, feeds) is the publication layer's: call `tocsin.publication`, not this module,
to change an alert.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, event
from sqlalchemy.orm import Session

from tocsin.alerts.models import Alert, AlertAudience, AlertIndicator, AlertRevision
from tocsin.alerts.projection import content_of, snapshot
from tocsin.alerts.schemas import AlertContent, AlertPatch, IndicatorIn
from tocsin.alerts.vocab import RevisionAction, Status
from tocsin.audit.service import Actor
from tocsin.audit.service import record as audit
from tocsin.bulk import insert_rows
from tocsin.errors import Conflict, InvalidInput, NotFound
from tocsin.sharing.rules import AlertFacts, Network, OrgId, ScopeKind, affected_error, scope_error
from tocsin.sharing.tlp import TLP

_INSERTED = "alerts.inserted_indicators"  # session.info: alert id -> rows inserted


@dataclass(frozen=True)
class Revised:
    """An alert after a lifecycle step, and the revision it stored (None: a draft edit)."""

    alert: Alert
    revision: AlertRevision | None


def _checked_scope(
    content: AlertContent, source_id: uuid.UUID, network: Network
) -> tuple[ScopeKind, uuid.UUID | None, list[str]]:
    scope = content.scope
    area = scope.area_id
    if scope.kind is not ScopeKind.explicit and area is None:
        area = network.default_area(source_id, scope.kind)
    named = sorted({str(o) for o in scope.organisations})
    trial = AlertFacts(
        source_id=source_id,
        tlp=content.tlp,
        scope=scope.kind,
        area_id=area,
        named=frozenset(uuid.UUID(o) for o in named),
    )
    problem = scope_error(trial, network)
    if problem:
        raise InvalidInput.one("scope", problem)
    return scope.kind, area, named


def _checked_affected(
    content: AlertContent, source_id: uuid.UUID, network: Network
) -> uuid.UUID | None:
    affected = content.affected_organisation
    problem = affected_error(source_id, affected, network) if affected else None
    if problem:
        raise InvalidInput.one("affected_organisation", problem)
    return affected


def _apply_content(
    alert: Alert, content: AlertContent, network: Network, now: datetime
) -> list[dict[str, Any]]:
    """Set the alert's fields from its content; returns the indicator rows to insert."""
    kind, area, named = _checked_scope(content, alert.source_org_id, network)
    alert.affected_org_id = _checked_affected(content, alert.source_org_id, network)
    alert.title = content.title
    alert.summary = content.summary
    alert.category = content.category
    alert.severity = content.severity
    alert.tlp = content.tlp
    alert.pap = content.pap
    alert.scope_kind, alert.scope_area_id, alert.named = kind, area, named
    alert.anonymous = content.anonymous
    alert.first_seen = content.first_seen
    alert.care_impact = content.care_impact.model_dump(mode="json")
    alert.origin = content.origin.model_dump(mode="json")
    alert.attack_steps = [s.model_dump(mode="json") for s in content.attack_steps]
    alert.countermeasures = [c.model_dump(mode="json") for c in content.countermeasures]
    alert.updated_at = now
    return _apply_indicators(alert, content.indicators, now)


def _apply_indicators(
    alert: Alert, wanted: list[IndicatorIn], now: datetime
) -> list[dict[str, Any]]:
    """Keep rows whose value stays (their ids are referenced by sightings), withdraw the
    others; the new ones are returned as rows for one bulk insert (an alert may bring
    50,000, which the unit of work would write one object at a time)."""
    existing = {(i.type.value, i.value): i for i in alert.indicators}
    keep: set[tuple[str, str]] = set()
    new: list[dict[str, Any]] = []
    for position, item in enumerate(wanted):
        key = (item.type.value, item.value)
        keep.add(key)
        row = existing.get(key)
        if row is None:
            new.append({"id": uuid.uuid4(), "alert_id": alert.id, "position": position,
                        "type": item.type, "value": item.value, "comment": item.comment,
                        "first_seen": item.first_seen, "valid_until": item.valid_until,
                        "context": item.context, "created_at": now,
                        "withdrawn_at": None})  # fmt: skip
            continue
        row.position = position
        row.comment = item.comment
        row.first_seen = item.first_seen
        row.valid_until = item.valid_until
        row.context = item.context
        row.withdrawn_at = None
    for key, row in existing.items():
        if key not in keep and row.withdrawn_at is None:
            row.withdrawn_at = now
    alert.indicator_count = len(keep)
    return new


def _insert_indicators(session: Session, alert: Alert, rows: list[dict[str, Any]]) -> None:
    """Write the new indicator rows after the alert; its list is read again when used."""
    if rows:
        session.flush()
        insert_rows(session, AlertIndicator.__table__, rows)
        session.expire(alert, ["indicators"])
        if _INSERTED not in session.info:
            event.listen(session, "after_soft_rollback", _forget_inserted)
        session.info.setdefault(_INSERTED, {}).setdefault(alert.id, []).extend(rows)


def inserted_indicators(session: Session, alert_id: uuid.UUID) -> list[dict[str, Any]]:
    """The indicator rows this transaction inserted for the alert since the last call (id,
    type, value...): what the layers above index without reading the alert's list back
    while the transaction holds the write lock."""
    inserted: dict[uuid.UUID, list[dict[str, Any]]] = session.info.get(_INSERTED, {})
    return inserted.pop(alert_id, [])


def _forget_inserted(session: Session, _previous: Any) -> None:
    session.info.pop(_INSERTED, None)  # rolled back: never written


def create_draft(
    *,
    session: Session,
    content: AlertContent,
    source_org_id: uuid.UUID,
    by: Actor,
    network: Network,
    now: datetime,
) -> Alert:
    """Store a new draft, visible to its source organisation only."""
    alert = Alert(
        id=uuid.uuid4(),
        source_org_id=source_org_id,
        created_by=by.user_id,
        status=Status.draft,
        revision=0,
        created_at=now,
        indicators=[],
    )
    rows = _apply_content(alert, content, network, now)
    session.add(alert)
    _insert_indicators(session, alert, rows)
    session.flush()
    _audit(session, alert, by, "alert.create", now, {"title": alert.title})
    return alert


def get_for_source(*, session: Session, alert_id: uuid.UUID, org_id: uuid.UUID) -> Alert:
    """An alert the organisation is the source of; anything else looks absent."""
    alert = session.get(Alert, alert_id)
    if alert is None or alert.source_org_id != org_id:
        raise NotFound("no such alert")
    return alert


def update(
    *,
    session: Session,
    alert_id: uuid.UUID,
    patch: AlertPatch,
    org_id: uuid.UUID,
    by: Actor,
    network: Network,
    now: datetime,
) -> Revised:
    """Change a draft, or publish an update of a live alert as a new revision."""
    alert = get_for_source(session=session, alert_id=alert_id, org_id=org_id)
    if alert.status in (Status.closed, Status.retracted):
        raise Conflict(f"a {alert.status.value} alert cannot be changed")
    changes = patch.model_dump(exclude_unset=True, exclude={"note"})
    merged = content_of(alert).model_dump() | changes
    try:
        content = AlertContent.model_validate(merged)
    except ValueError as exc:
        raise InvalidInput.one("body", str(exc)) from exc
    _insert_indicators(session, alert, _apply_content(alert, content, network, now))
    if alert.status is Status.draft:
        _audit(session, alert, by, "alert.edit", now, {"fields": sorted(changes)})
        return Revised(alert, None)
    alert.status = Status.updated
    return Revised(alert, _new_revision(session, alert, RevisionAction.update, by, now, patch.note))


def publish(
    *, session: Session, alert_id: uuid.UUID, org_id: uuid.UUID, by: Actor, network: Network,
    now: datetime, note: str | None = None,
) -> Revised:  # fmt: skip
    """Publish a draft: its status and revision 1 (what follows is the publication layer's)."""
    alert = get_for_source(session=session, alert_id=alert_id, org_id=org_id)
    if alert.status is not Status.draft:
        raise Conflict(f"only a draft can be published; this alert is {alert.status.value}")
    current = content_of(alert)
    _checked_scope(current, alert.source_org_id, network)
    _checked_affected(current, alert.source_org_id, network)
    alert.status = Status.published
    alert.published_at = now
    return Revised(alert, _new_revision(session, alert, RevisionAction.publish, by, now, note))


def close(
    *, session: Session, alert_id: uuid.UUID, org_id: uuid.UUID, by: Actor, network: Network,
    now: datetime, note: str | None = None,
) -> Revised:  # fmt: skip
    """Close a live alert: the incident is over; it stays readable."""
    alert = get_for_source(session=session, alert_id=alert_id, org_id=org_id)
    if not alert.status.is_live:
        raise Conflict(f"only a published alert can be closed; this one is {alert.status.value}")
    alert.status = Status.closed
    alert.closed_at = alert.updated_at = now
    return Revised(alert, _new_revision(session, alert, RevisionAction.close, by, now, note))


def retract(
    *, session: Session, alert_id: uuid.UUID, org_id: uuid.UUID, by: Actor, network: Network,
    now: datetime, reason: str,
) -> Revised:  # fmt: skip
    """Withdraw a published alert that was wrong; peers are told why."""
    alert = get_for_source(session=session, alert_id=alert_id, org_id=org_id)
    if alert.status in (Status.draft, Status.retracted):
        raise Conflict(f"a {alert.status.value} alert cannot be retracted")
    alert.status = Status.retracted
    alert.retracted_at = alert.updated_at = now
    alert.retract_reason = reason
    return Revised(alert, _new_revision(session, alert, RevisionAction.retract, by, now, reason))


def _new_revision(
    session: Session,
    alert: Alert,
    action: RevisionAction,
    by: Actor,
    now: datetime,
    note: str | None,
) -> AlertRevision:
    alert.revision += 1
    with session.no_autoflush:  # the snapshot of a large alert is built before the flush
        document = snapshot(alert)  # takes the write lock (SQLite) and holds it to the commit
    session.flush()
    revision = AlertRevision(
        alert_id=alert.id,
        number=alert.revision,
        action=action,
        author_user_id=by.user_id,
        author_org_id=by.org_id or alert.source_org_id,
        note=note,
        created_at=now,
        document=document,
    )
    session.add(revision)
    session.flush()
    _audit(session, alert, by, f"alert.{action.value}", now, {"revision": alert.revision})
    return revision


def store_audience(*, session: Session, alert: Alert, readers: Iterable[OrgId]) -> None:
    """Rewrite the index of who may list the alert (the SQL pre-filter of reads)."""
    session.execute(delete(AlertAudience).where(AlertAudience.alert_id == alert.id))
    if alert.tlp in (TLP.clear, TLP.green):
        return  # every member may read them: no index needed
    insert_rows(
        session,
        AlertAudience.__table__,
        [{"alert_id": alert.id, "org_id": org_id} for org_id in sorted(set(readers))],
    )


def _audit(
    session: Session, alert: Alert, by: Actor, action: str, now: datetime, details: dict[str, Any]
) -> None:
    audit(
        session=session,
        actor=by,
        action=action,
        target_type="alert",
        target_id=alert.id,
        at=now,
        concerns=[alert.source_org_id],
        details=details,
    )
