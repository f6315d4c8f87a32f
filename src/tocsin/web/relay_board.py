"""The relay's board (group, region, national CERT): who in its perimeter is silent.

Per recent alert the relay may read, one row per establishment of its perimeter that
received it (every recipient, for an alert the relay itself published): received,
acknowledged, applicability, and the time left before escalation, silent ones first;
the silent establishments named at the top; and the declarations of its perimeter
waiting for qualification, with the deadline after which their shareable part is
published automatically.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy.orm import Session

from tocsin.alerts import reads
from tocsin.alerts.models import Alert
from tocsin.deps import NowDep, SessionDep, StateDep
from tocsin.errors import Conflict, NotFound
from tocsin.network import service as network_service
from tocsin.network.auth import NetworkDep
from tocsin.oncall import service as on_call
from tocsin.posture import service as posture
from tocsin.relay import service as relay_service
from tocsin.relay.api import RELAY_ANALYST_ROLES
from tocsin.relay.models import Declaration, DeclarationStatus
from tocsin.responses import reminders
from tocsin.responses import service as responses
from tocsin.responses.models import AlertResponse
from tocsin.settings import Settings
from tocsin.sharing.rules import Network
from tocsin.web import relay_grid
from tocsin.web.auth import MemberDep, PostingMemberDep, org_id_of, principal_of
from tocsin.web.charts import daily_bars
from tocsin.web.i18n import translations
from tocsin.web.render import page
from tocsin.web.responding import escalates_at

router = APIRouter(include_in_schema=False)

RELAY_KINDS = ("group", "region", "national")
RECENT = timedelta(days=30)
MAX_ALERTS = 50
MAX_POSTURES = 300  # a national CERT's perimeter is the whole country: the weakest matter


@dataclass(frozen=True)
class Line:
    """One establishment's answer to one alert, as the relay sees it."""

    org_id: uuid.UUID
    organisation: str
    received_at: datetime | None
    acknowledged_at: datetime | None
    applicability: str | None
    escalates_at: datetime | None


def _lines(
    settings: Settings, session: Session, alert: Alert, relay: uuid.UUID,
    perimeter: frozenset[uuid.UUID],
) -> list[Line]:  # fmt: skip
    """Its perimeter's answers; all answers to an alert the relay published (relayed)."""
    relayed = alert.source_org_id == relay
    rows = [r for r in responses.responses_of(session=session, alert_id=alert.id)
            if r.recipient and (relayed or r.org_id in perimeter)]  # fmt: skip
    names = network_service.names_of(session=session, org_ids=[r.org_id for r in rows])
    lines = [_line(settings, alert, r, names.get(r.org_id, "?")) for r in rows]
    # Silent first (not acknowledged), then by name.
    return sorted(lines, key=lambda line: (line.acknowledged_at is not None, line.organisation))


def _line(settings: Settings, alert: Alert, row: AlertResponse, name: str) -> Line:
    return Line(row.org_id, name, row.received_at, row.acknowledged_at,
                row.applicability.value if row.applicability else None,
                escalates_at(settings, alert, row))  # fmt: skip


def _silent(board: list[tuple[Alert, list[Line]]]) -> list[tuple[uuid.UUID, str, int]]:
    """(id, establishment, alerts it has not acknowledged), the most silent first."""
    counts = Counter((line.org_id, line.organisation) for _, lines in board for line in lines
                     if line.acknowledged_at is None)  # fmt: skip
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0][1]))
    return [(org_id, name, count) for (org_id, name), count in ranked]


def _waiting(session: Session, viewer: uuid.UUID, network: Network) -> list[Declaration]:
    rows = relay_service.list_visible(
        session=session, viewer_id=viewer, network=network, status=None, after=None, limit=100
    )
    return [d for d in rows if d.alert_id is None and d.status is not DeclarationStatus.closed]


def _postures(session: Session, orgs: list[uuid.UUID], now: datetime) -> list[tuple[str, str, int]]:
    """(id, name, score) of the perimeter's establishments, weakest first (bounded)."""
    rows = posture.weakest(session=session, org_ids=orgs, now=now, limit=MAX_POSTURES)
    return [(str(org_id), name, score) for org_id, name, score in rows]


def _timeline(
    alerts: list[Alert], waiting: list[Declaration], now: datetime, language: str
) -> Markup:
    days = [(now - timedelta(days=n)).date() for n in range(RECENT.days - 1, -1, -1)]
    index = {d: i for i, d in enumerate(days)}
    counts = {"alerts": [0] * len(days), "declarations": [0] * len(days)}
    for moment, name in [(a.published_at or a.created_at, "alerts") for a in alerts] + [
        (d.created_at, "declarations") for d in waiting
    ]:
        if moment.date() in index:
            counts[name][index[moment.date()]] += 1
    _ = translations(language).gettext
    legend = {"alerts": _("Alerts"), "declarations": _("Declarations")}
    return daily_bars(days, counts, _("Alerts and declarations per day, last 30 days"), legend,
                      lambda day: day.strftime("%d/%m"))  # fmt: skip


@router.get("/relay")
def relay_board(
    request: Request, who: MemberDep, session: SessionDep, network: NetworkDep, state: StateDep
) -> Response:
    """Who acknowledged, who is silent, what waits for qualification."""
    org_id = org_id_of(who)
    node = network.orgs.get(org_id)
    if node is None or node.kind not in RELAY_KINDS:
        raise NotFound("the relay board is for groups, regions and the national CERT")
    perimeter = network.members(org_id) - {org_id}
    since = state.clock.now() - RECENT
    alerts = reads.list_visible(
        session=session, viewer_id=org_id, network=network,
        filters=reads.AlertFilters(since=since), after=None, limit=MAX_ALERTS,
    )  # fmt: skip
    board = [(a, lines) for a in alerts
             if (lines := _lines(state.settings, session, a, org_id, perimeter))]  # fmt: skip
    silent = _silent(board)
    waiting = _waiting(session, org_id, network)
    now = state.clock.now()
    declarants = network_service.names_of(session=session, org_ids={d.org_id for d in waiting})
    return page(request, who, "relay.html", board=board, silent=silent, waiting=waiting, now=now,
                declarants=declarants,
                postures=_postures(session, sorted(perimeter), now),
                timeline=_timeline([a for a, _ in board], waiting, now, who.language),
                grid=relay_grid.grid(board, now),
                on_call=on_call.contacts_of_many(session=session,
                                                 org_ids={o for o, _, _ in silent}),
                reminded=request.query_params.get("reminded", ""))  # fmt: skip


@router.post("/relay/alerts/{alert_id}/remind")
def remind(
    alert_id: uuid.UUID, who: PostingMemberDep, session: SessionDep, network: NetworkDep,
    now: NowDep,
) -> Response:  # fmt: skip
    """Remind, in one action, every silent establishment of the perimeter about an alert."""
    principal = principal_of(who)
    principal.require_writer()
    principal.require_role(*RELAY_ANALYST_ROLES)
    try:
        reminded = reminders.remind_silent(session=session, alert_id=alert_id,
                                           relay_id=principal.org_id, network=network,
                                           by=principal.actor, now=now)  # fmt: skip
    except Conflict:
        reminded = []
    return RedirectResponse(f"/relay?reminded={len(reminded)}#relay-{alert_id}", status_code=303)
