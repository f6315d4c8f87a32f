"""What the director's page shows first: what needs the director now, then the posture's
history as a chart. Reads through the responses, relay and posture services."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from markupsafe import Markup
from sqlalchemy.orm import Session

from tocsin.alerts.models import Alert
from tocsin.posture import service as posture
from tocsin.relay import service as relay_service
from tocsin.relay.models import Declaration
from tocsin.relay.vocab import DeclarationStatus
from tocsin.responses import waiting
from tocsin.responses.models import Escalation
from tocsin.sharing.rules import Network
from tocsin.web import charts, responding
from tocsin.web.i18n import translations

HISTORY = timedelta(days=365)
LIVE_DECLARATIONS = (DeclarationStatus.open, DeclarationStatus.qualified,
                     DeclarationStatus.auto_published)  # fmt: skip


@dataclass(frozen=True)
class Needs:
    """Critical alerts not acknowledged, escalations to the director, incidents running."""

    urgent: list[Alert] = field(default_factory=list)
    escalations: list[tuple[Escalation, Alert]] = field(default_factory=list)
    incidents: list[Declaration] = field(default_factory=list)

    @property
    def nothing(self) -> bool:
        return not (self.urgent or self.escalations or self.incidents)


def needs(
    session: Session, org_id: uuid.UUID, network: Network, alerts: list[Alert],
    cells: dict[uuid.UUID, dict[str, Any]],
) -> Needs:  # fmt: skip
    """What waits for this organisation's director, most pressing first."""
    urgent = [a for a in alerts if responding.is_urgent(a.severity, a.status, cells.get(a.id))]
    declarations = relay_service.list_visible(session=session, viewer_id=org_id, network=network,
                                              status=None, after=None, limit=50)  # fmt: skip
    incidents = [d for d in declarations
                 if d.org_id == org_id and d.status in LIVE_DECLARATIONS]  # fmt: skip
    escalations = waiting.escalated_to_directors(session=session, org_id=org_id)
    return Needs(urgent=urgent, escalations=escalations, incidents=incidents)


def score_chart(
    session: Session, org_id: uuid.UUID, score: int, now: datetime, language: str
) -> Markup:
    """The score at each sign-off of the last year, and today's, as a line with axes."""
    signed = posture.signoffs_of(session=session, org_id=org_id, since=now - HISTORY)
    points: list[tuple[date, int]] = [(s.signed_at.date(), s.score) for s in signed]
    points.append((now.date(), score))
    _ = translations(language).gettext

    def day(moment: date) -> str:
        return moment.strftime("%d/%m/%Y") if language == "fr" else moment.strftime("%d %b %Y")

    return charts.score_line(points, _("Posture score over the last year"), _("posture score"),
                             day)  # fmt: skip
