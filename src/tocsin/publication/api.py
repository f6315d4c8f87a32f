"""Routes of alerts: drafts, lifecycle, reads, revisions and indicator search.

In the publication layer: every change goes through `publication.service` and every read
of one alert through `publication.opening.open_alert`, the paths the pages take too.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Query, status
from pydantic import AwareDatetime
from sqlalchemy.orm import Session

from tocsin.alerts import present, reads
from tocsin.alerts.models import Alert
from tocsin.alerts.schemas import (
    AlertContent,
    AlertOut,
    AlertPatch,
    AlertSummary,
    IndicatorHit,
    Note,
    Reason,
    RevisionOut,
)
from tocsin.alerts.vocab import Category, Severity, Status
from tocsin.deps import NowDep, SessionDep, SettingsDep
from tocsin.errors import InvalidInput
from tocsin.indicators.normalize import normalize, normalize_any
from tocsin.indicators.types import IndicatorError, IndicatorType
from tocsin.network.auth import NetworkDep, PrincipalDep
from tocsin.network.models import Scope
from tocsin.pagination import decode_cursor, encode_cursor
from tocsin.publication import service
from tocsin.publication.opening import open_alert
from tocsin.schemas_common import PROBLEM_RESPONSES, Page
from tocsin.sharing.rules import Network
from tocsin.sharing.tlp import TLP

router = APIRouter(prefix="/api/v1", tags=["alerts"], responses=PROBLEM_RESPONSES)


def _answer(session: Session, alert: Alert, principal: PrincipalDep, network: Network) -> AlertOut:
    """Commit, then build the answer: the body of a 50,000-indicator alert takes seconds to
    build, and on SQLite the change holds the database's one write lock until it commits."""
    session.commit()
    return present.alert_out(session, alert, principal.org_id, network)


@router.post("/alerts", response_model=AlertOut, status_code=status.HTTP_201_CREATED)
def create_alert(
    body: AlertContent,
    principal: PrincipalDep,
    session: SessionDep,
    network: NetworkDep,
    now: NowDep,
) -> AlertOut:
    """Create a draft; nobody but your organisation sees it until it is published."""
    principal.require_writer()
    alert = service.create_draft(
        session=session,
        content=body,
        source_org_id=principal.org_id,
        by=principal.actor,
        network=network,
        now=now,
    )
    return _answer(session, alert, principal, network)


@router.get("/alerts", response_model=Page[AlertSummary])
def list_alerts(
    principal: PrincipalDep,
    session: SessionDep,
    network: NetworkDep,
    settings: SettingsDep,
    category: Category | None = None,
    severity: Severity | None = None,
    status: Status | None = None,
    tlp: TLP | None = None,
    since: AwareDatetime | None = None,
    q: str | None = Query(default=None, max_length=200, description="text in title or summary"),
    cursor: str | None = None,
    limit: int = Query(default=50, ge=1, le=1000),
) -> Page[AlertSummary]:
    """Alerts you may read, newest first."""
    principal.require_scope(Scope.read)
    limit = min(limit, settings.page_size_max)
    after = decode_cursor(cursor, as_datetime=True) if cursor else None
    filters = reads.AlertFilters(category, severity, status, tlp, since, q or None)
    rows = reads.list_visible(
        session=session,
        viewer_id=principal.org_id,
        network=network,
        filters=filters,
        after=after,
        limit=limit + 1,
    )
    page = rows[:limit]
    return Page(
        items=present.alert_summaries(session, page, principal.org_id, network),
        next=encode_cursor(page[-1].created_at, page[-1].id) if len(rows) > limit else None,
    )


@router.get("/alerts/{alert_id}", response_model=AlertOut)
def get_alert(
    alert_id: uuid.UUID, principal: PrincipalDep, session: SessionDep, network: NetworkDep,
    now: NowDep,
) -> AlertOut:  # fmt: skip
    principal.require_scope(Scope.read)
    alert = open_alert(
        session=session, alert_id=alert_id, viewer_id=principal.org_id, by=principal.actor,
        network=network, now=now, door="api",
    )  # fmt: skip
    return present.alert_out(session, alert, principal.org_id, network)


@router.patch("/alerts/{alert_id}", response_model=AlertOut)
def update_alert(
    alert_id: uuid.UUID,
    body: AlertPatch,
    principal: PrincipalDep,
    session: SessionDep,
    network: NetworkDep,
    now: NowDep,
) -> AlertOut:
    """Edit a draft; on a published alert, publish the change as a new revision."""
    principal.require_writer()
    alert = service.update(
        session=session,
        alert_id=alert_id,
        patch=body,
        org_id=principal.org_id,
        by=principal.actor,
        network=network,
        now=now,
    )
    return _answer(session, alert, principal, network)


def _lifecycle_kwargs(
    alert_id: uuid.UUID, principal: PrincipalDep, session: SessionDep, network: NetworkDep,
    now: NowDep,
) -> dict[str, object]:  # fmt: skip
    principal.require_writer()
    return {
        "session": session,
        "alert_id": alert_id,
        "org_id": principal.org_id,
        "by": principal.actor,
        "network": network,
        "now": now,
    }


@router.post("/alerts/{alert_id}/publish", response_model=AlertOut)
def publish_alert(
    alert_id: uuid.UUID, principal: PrincipalDep, session: SessionDep, network: NetworkDep,
    now: NowDep, body: Note | None = None,
) -> AlertOut:  # fmt: skip
    kwargs = _lifecycle_kwargs(alert_id, principal, session, network, now)
    alert = service.publish(**kwargs, note=body.note if body else None)  # type: ignore[arg-type]
    return _answer(session, alert, principal, network)


@router.post("/alerts/{alert_id}/close", response_model=AlertOut)
def close_alert(
    alert_id: uuid.UUID, principal: PrincipalDep, session: SessionDep, network: NetworkDep,
    now: NowDep, body: Note | None = None,
) -> AlertOut:  # fmt: skip
    kwargs = _lifecycle_kwargs(alert_id, principal, session, network, now)
    alert = service.close(**kwargs, note=body.note if body else None)  # type: ignore[arg-type]
    return _answer(session, alert, principal, network)


@router.post("/alerts/{alert_id}/retract", response_model=AlertOut)
def retract_alert(
    alert_id: uuid.UUID, body: Reason, principal: PrincipalDep, session: SessionDep,
    network: NetworkDep, now: NowDep,
) -> AlertOut:  # fmt: skip
    kwargs = _lifecycle_kwargs(alert_id, principal, session, network, now)
    alert = service.retract(**kwargs, reason=body.reason)  # type: ignore[arg-type]
    return _answer(session, alert, principal, network)


@router.get("/alerts/{alert_id}/revisions", response_model=list[RevisionOut])
def list_revisions(
    alert_id: uuid.UUID, principal: PrincipalDep, session: SessionDep, network: NetworkDep,
    now: NowDep,
) -> list[RevisionOut]:  # fmt: skip
    """Every revision of the alert, oldest first: what each one changed and why."""
    principal.require_scope(Scope.read)
    alert = open_alert(
        session=session, alert_id=alert_id, viewer_id=principal.org_id, by=principal.actor,
        network=network, now=now, door="api",
    )  # fmt: skip
    rows = reads.revisions(session=session, alert=alert)
    return [present.revision_out(session, alert, r, principal.org_id, network) for r in rows]


def _search_value(value: str, kind: IndicatorType | None) -> str:
    try:
        return normalize(kind, value) if kind else normalize_any(value)[1]
    except IndicatorError as exc:
        raise InvalidInput.one("value", str(exc)) from exc


@router.get("/indicators", response_model=list[IndicatorHit])
def search_indicators(
    principal: PrincipalDep,
    session: SessionDep,
    network: NetworkDep,
    value: str = Query(min_length=1, max_length=4096, description="defanged values accepted"),
    type: IndicatorType | None = None,
    limit: int = Query(default=100, ge=1, le=1000),
) -> list[IndicatorHit]:
    """Where does this value appear, among the alerts you may read?"""
    principal.require_scope(Scope.read)
    normalised = _search_value(value, type)
    hits = reads.search_indicators(
        session=session,
        value=normalised,
        kind=type,
        viewer_id=principal.org_id,
        network=network,
        limit=limit,
    )
    return [
        IndicatorHit(
            indicator=present.indicator_out(indicator),
            alert=present.alert_summary(session, alert, principal.org_id, network),
        )
        for indicator, alert in hits
    ]
