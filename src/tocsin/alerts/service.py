"""The lifecycle of an alert: draft, publish, update, close, retract.

Functions never commit: the request, task or command that calls them owns the transaction.
Every change writes an audit record; every publish, update, close or retract also writes an
immutable revision and refreshes the audience index.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from tocsin.alerts import hooks
from tocsin.alerts.models import Alert, AlertAudience, AlertIndicator, AlertRevision
from tocsin.alerts.schemas import AlertContent, AlertPatch, IndicatorIn
from tocsin.alerts.vocab import RevisionAction, Status
from tocsin.audit.service import Actor
from tocsin.audit.service import record as audit
from tocsin.errors import Conflict, InvalidInput, NotFound
from tocsin.sharing.rules import AlertFacts, Network, ScopeKind, readers, scope_error
from tocsin.sharing.tlp import TLP


def facts(alert: Alert) -> AlertFacts:
    """What the sharing rules need to know of a stored alert."""
    return AlertFacts(
        source_id=alert.source_org_id,
        tlp=alert.tlp,
        scope=alert.scope_kind,
        area_id=alert.scope_area_id,
        named=frozenset(uuid.UUID(o) for o in alert.named),
        draft=alert.status is Status.draft,
        anonymous=alert.anonymous,
    )


def content_of(alert: Alert) -> AlertContent:
    """The current content of a stored alert, as its author would write it."""
    return AlertContent.model_validate(
        {
            "title": alert.title,
            "summary": alert.summary,
            "category": alert.category,
            "severity": alert.severity,
            "tlp": alert.tlp,
            "pap": alert.pap,
            "scope": {
                "kind": alert.scope_kind,
                "area_id": alert.scope_area_id,
                "organisations": [uuid.UUID(o) for o in alert.named],
            },
            "anonymous": alert.anonymous,
            "first_seen": alert.first_seen,
            "care_impact": alert.care_impact,
            "origin": alert.origin,
            "attack_steps": alert.attack_steps,
            "indicators": [
                {
                    "type": i.type,
                    "value": i.value,
                    "comment": i.comment,
                    "first_seen": i.first_seen,
                    "valid_until": i.valid_until,
                }
                for i in alert.indicators
                if i.withdrawn_at is None
            ],
            "countermeasures": alert.countermeasures,
        }
    )


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


def _apply_content(alert: Alert, content: AlertContent, network: Network, now: datetime) -> None:
    kind, area, named = _checked_scope(content, alert.source_org_id, network)
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
    _apply_indicators(alert, content.indicators, now)
    alert.updated_at = now


def _apply_indicators(alert: Alert, wanted: list[IndicatorIn], now: datetime) -> None:
    """Keep rows whose value stays (their ids are referenced by sightings), add, withdraw."""
    existing = {(i.type.value, i.value): i for i in alert.indicators}
    keep: set[tuple[str, str]] = set()
    for position, item in enumerate(wanted):
        key = (item.type.value, item.value)
        keep.add(key)
        row = existing.get(key)
        if row is None:
            row = AlertIndicator(type=item.type, value=item.value, created_at=now)
            alert.indicators.append(row)
        row.position = position
        row.comment = item.comment
        row.first_seen = item.first_seen
        row.valid_until = item.valid_until
        row.withdrawn_at = None
    for key, row in existing.items():
        if key not in keep and row.withdrawn_at is None:
            row.withdrawn_at = now


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
    _apply_content(alert, content, network, now)
    session.add(alert)
    session.flush()
    hooks.on_draft(session=session, alert=alert, now=now)
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
) -> Alert:
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
    _apply_content(alert, content, network, now)
    if alert.status is Status.draft:
        hooks.on_draft(session=session, alert=alert, now=now)
        _audit(session, alert, by, "alert.edit", now, {"fields": sorted(changes)})
        return alert
    alert.status = Status.updated
    _new_revision(session, alert, RevisionAction.update, by, now, network, patch.note)
    return alert


def publish(
    *, session: Session, alert_id: uuid.UUID, org_id: uuid.UUID, by: Actor, network: Network,
    now: datetime, note: str | None = None,
) -> Alert:  # fmt: skip
    """Publish a draft: revision 1, its audience, and its deliveries, in one transaction."""
    alert = get_for_source(session=session, alert_id=alert_id, org_id=org_id)
    if alert.status is not Status.draft:
        raise Conflict(f"only a draft can be published; this alert is {alert.status.value}")
    _checked_scope(content_of(alert), alert.source_org_id, network)
    alert.status = Status.published
    alert.published_at = now
    _new_revision(session, alert, RevisionAction.publish, by, now, network, note)
    return alert


def close(
    *, session: Session, alert_id: uuid.UUID, org_id: uuid.UUID, by: Actor, network: Network,
    now: datetime, note: str | None = None,
) -> Alert:  # fmt: skip
    """Close a live alert: the incident is over; it stays readable."""
    alert = get_for_source(session=session, alert_id=alert_id, org_id=org_id)
    if not alert.status.is_live:
        raise Conflict(f"only a published alert can be closed; this one is {alert.status.value}")
    alert.status = Status.closed
    alert.closed_at = alert.updated_at = now
    _new_revision(session, alert, RevisionAction.close, by, now, network, note)
    return alert


def retract(
    *, session: Session, alert_id: uuid.UUID, org_id: uuid.UUID, by: Actor, network: Network,
    now: datetime, reason: str,
) -> Alert:  # fmt: skip
    """Withdraw a published alert that was wrong; peers are told why."""
    alert = get_for_source(session=session, alert_id=alert_id, org_id=org_id)
    if alert.status in (Status.draft, Status.retracted):
        raise Conflict(f"a {alert.status.value} alert cannot be retracted")
    alert.status = Status.retracted
    alert.retracted_at = alert.updated_at = now
    alert.retract_reason = reason
    _new_revision(session, alert, RevisionAction.retract, by, now, network, reason)
    return alert


def snapshot(alert: Alert) -> dict[str, Any]:
    """The document kept in a revision: the content and the lifecycle fields."""
    document = content_of(alert).model_dump(mode="json")
    document["status"] = alert.status.value
    document["indicators"] = [
        {"id": str(i.id), **item}
        for i, item in zip(
            [i for i in alert.indicators if i.withdrawn_at is None],
            document["indicators"],
            strict=True,
        )
    ]
    return document


def _new_revision(
    session: Session,
    alert: Alert,
    action: RevisionAction,
    by: Actor,
    now: datetime,
    network: Network,
    note: str | None,
) -> AlertRevision:
    session.flush()
    alert.revision += 1
    revision = AlertRevision(
        alert_id=alert.id,
        number=alert.revision,
        action=action,
        author_user_id=by.user_id,
        author_org_id=by.org_id or alert.source_org_id,
        note=note,
        created_at=now,
        document=snapshot(alert),
    )
    session.add(revision)
    _refresh_audience(session, alert, network)
    session.flush()
    _audit(session, alert, by, f"alert.{action.value}", now, {"revision": alert.revision})
    hooks.after_revision(session=session, alert=alert, revision=revision, network=network, now=now)
    return revision


def _refresh_audience(session: Session, alert: Alert, network: Network) -> None:
    session.execute(delete(AlertAudience).where(AlertAudience.alert_id == alert.id))
    if alert.tlp in (TLP.clear, TLP.green):
        return  # every member may read them: no index needed
    session.add_all(
        AlertAudience(alert_id=alert.id, org_id=org_id) for org_id in readers(facts(alert), network)
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
