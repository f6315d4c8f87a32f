"""Reading alerts as a given organisation: every read goes through the sharing rules."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import Session

from tocsin.alerts.models import Alert, AlertAudience, AlertIndicator, AlertRevision
from tocsin.alerts.projection import facts
from tocsin.alerts.vocab import Category, Severity, Status
from tocsin.errors import NotFound
from tocsin.indicators.types import IndicatorType
from tocsin.sharing.rules import Network, can_see
from tocsin.sharing.tlp import TLP

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AlertFilters:
    category: Category | None = None
    severity: Severity | None = None
    status: Status | None = None
    tlp: TLP | None = None
    since: datetime | None = None
    text: str | None = None


def visible_alerts(viewer_id: uuid.UUID) -> Select[Alert]:
    """The SQL pre-filter of what an organisation may read (the audience index)."""
    in_audience = exists().where(
        AlertAudience.alert_id == Alert.id, AlertAudience.org_id == viewer_id
    )
    return select(Alert).where(
        or_(
            Alert.source_org_id == viewer_id,
            (Alert.status != Status.draft) & (Alert.tlp.in_([TLP.clear, TLP.green]) | in_audience),
        )
    )


def get_visible(
    *, session: Session, alert_id: uuid.UUID, viewer_id: uuid.UUID, network: Network
) -> Alert:
    """The alert if the viewer may read it; otherwise NotFound, never telling it exists."""
    alert = session.get(Alert, alert_id)
    if alert is None or not can_see(viewer_id, facts(alert), network):
        raise NotFound("no such alert")
    return alert


def _filtered(query: Select[Alert], filters: AlertFilters) -> Select[Alert]:
    if filters.category:
        query = query.where(Alert.category == filters.category)
    if filters.severity:
        query = query.where(Alert.severity == filters.severity)
    if filters.status:
        query = query.where(Alert.status == filters.status)
    if filters.tlp:
        query = query.where(Alert.tlp == filters.tlp)
    if filters.since:
        query = query.where(Alert.updated_at >= filters.since)
    if filters.text:
        pattern = f"%{filters.text.lower()}%"
        query = query.where(
            or_(func.lower(Alert.title).like(pattern), func.lower(Alert.summary).like(pattern))
        )
    return query


def list_visible(
    *,
    session: Session,
    viewer_id: uuid.UUID,
    network: Network,
    filters: AlertFilters,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[Alert]:
    """Newest first, strictly after the cursor (created_at, id)."""
    query = _filtered(visible_alerts(viewer_id), filters)
    if after is not None:
        created, row_id = after
        query = query.where(
            or_(Alert.created_at < created, (Alert.created_at == created) & (Alert.id < row_id))
        )
    query = query.order_by(Alert.created_at.desc(), Alert.id.desc()).limit(limit)
    return _double_checked(list(session.scalars(query)), viewer_id, network)


def _double_checked(alerts: list[Alert], viewer_id: uuid.UUID, network: Network) -> list[Alert]:
    """The index is derived state: the rules have the last word on every row."""
    kept = [a for a in alerts if can_see(viewer_id, facts(a), network)]
    if len(kept) != len(alerts):
        log.warning("audience index disagreed with the sharing rules for %s", viewer_id)
    return kept


def revisions(*, session: Session, alert: Alert) -> list[AlertRevision]:
    """Every revision of an alert the caller has opened, oldest first."""
    query = (
        select(AlertRevision)
        .where(AlertRevision.alert_id == alert.id)
        .order_by(AlertRevision.number)
    )
    return list(session.scalars(query))


def search_indicators(
    *,
    session: Session,
    value: str,
    kind: IndicatorType | None,
    viewer_id: uuid.UUID,
    network: Network,
    limit: int,
) -> list[tuple[AlertIndicator, Alert]]:
    """Indicators equal to `value` in the alerts the viewer may read."""
    visible = visible_alerts(viewer_id).subquery()
    query = (
        select(AlertIndicator, Alert)
        .join(Alert, Alert.id == AlertIndicator.alert_id)
        .where(AlertIndicator.value == value, AlertIndicator.withdrawn_at.is_(None))
        .where(Alert.id.in_(select(visible.c.id)))
        .order_by(Alert.created_at.desc())
        .limit(limit)
    )
    if kind is not None:
        query = query.where(AlertIndicator.type == kind)
    rows = [(i, a) for i, a in session.execute(query).all()]
    return [(i, a) for i, a in rows if can_see(viewer_id, facts(a), network)]
