"""The recipient's response from the browser: acknowledge, applicability, updates.

The alert page shows the response section (`section`), the inbox and the director's
dashboard a column per alert (`cells`); both read the responses service, and the forms post
to it, like the API does.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from tocsin.alerts.models import Alert
from tocsin.alerts.vocab import Severity, Status
from tocsin.deps import NowDep, SessionDep
from tocsin.errors import Forbidden, InvalidInput
from tocsin.network.auth import NetworkDep
from tocsin.network.principal import Principal
from tocsin.responses import service
from tocsin.responses.models import AlertResponse, Applicability
from tocsin.responses.schemas import ResponseIn
from tocsin.settings import Settings
from tocsin.web.auth import FormDep, PostingMemberDep, can_write, principal_of
from tocsin.web.render import refused_page

router = APIRouter(include_in_schema=False)


def escalates_at(settings: Settings, alert: Alert, row: AlertResponse) -> datetime | None:
    return service.escalates_at(service.policy_from(settings), alert, row)


@dataclass(frozen=True)
class Section:
    """What the alert page shows of the reader's own response (recipients only)."""

    row: AlertResponse
    can_respond: bool
    escalates_at: datetime | None
    applicabilities: list[str]
    live: bool  # a closed or retracted alert asks nothing more: no acknowledgement, no clock


def section(
    session: Session, settings: Settings, principal: Principal, alert: Alert
) -> Section | None:
    """The reader's response to the alert, or None when it is not a recipient (the source
    and relays see the table of responses instead)."""
    row = service.response_of(session=session, alert_id=alert.id, org_id=principal.org_id)
    if row is None:
        return None
    return Section(
        row=row, can_respond=_writer(principal) and row.recipient,
        escalates_at=escalates_at(settings, alert, row),
        applicabilities=[a.value for a in Applicability], live=alert.status.is_live,
    )  # fmt: skip


def _writer(principal: Principal) -> bool:
    try:
        principal.require_writer()
    except Forbidden:  # a read-only account sees the state, not the forms
        return False
    return True


def cells(
    session: Session, settings: Settings, org_id: uuid.UUID, alert_ids: list[uuid.UUID]
) -> dict[uuid.UUID, dict[str, Any]]:
    """Per alert: when it was acknowledged and how fast, or when silence escalates, and the
    applicability the organisation stated."""
    found: dict[uuid.UUID, dict[str, Any]] = {}
    for row, alert in service.responses_to(session=session, org_id=org_id, alert_ids=alert_ids):
        cell: dict[str, Any] = {}
        if row.acknowledged_at is not None:
            cell["acknowledged_at"] = row.acknowledged_at
            minutes = (row.acknowledged_at - row.reached_at).total_seconds() / 60
            cell["time_to_acknowledge"] = f"{minutes:.0f} min"
        elif (escalates := escalates_at(settings, alert, row)) is not None:
            cell["escalates_at"] = escalates
        if row.applicability is not None:
            cell["applicability"] = row.applicability.value
        found[alert.id] = cell
    return found


def is_urgent(severity: Severity, status: Status, cell: dict[str, Any] | None) -> bool:
    """A live critical alert this organisation received and has not acknowledged yet."""
    return (
        severity is Severity.critical
        and status.is_live
        and cell is not None
        and "acknowledged_at" not in cell
    )


def _change(form: Any) -> ResponseIn:
    fields: dict[str, Any] = {}
    if form.get("acknowledged") == "true":
        fields["acknowledged"] = True
    if form.get("applicability"):
        fields["applicability"] = form.get("applicability")
    if str(form.get("update") or "").strip():
        fields["update"] = form.get("update")
    if form.get("closed") in ("true", "false"):
        fields["closed"] = form.get("closed") == "true"
    try:
        return ResponseIn(**fields)
    except ValidationError as exc:
        raise InvalidInput.one("response", exc.errors()[0]["msg"]) from None


@router.post("/alerts/{alert_id}/response")
def respond(
    request: Request, alert_id: uuid.UUID, who: PostingMemberDep, form: FormDep,
    session: SessionDep, network: NetworkDep, now: NowDep,
) -> Response:  # fmt: skip
    """Acknowledge, set applicability, post an update or close, then back to the alert page.

    A refusal is a page that says why: a read-only account, an organisation that did not
    receive the alert, an acknowledgement that cannot be withdrawn.
    """
    if not can_write(who):
        return refused_page(request, who)
    service.respond(session=session, alert_id=alert_id, by=principal_of(who),
                    change=_change(form), network=network, now=now)  # fmt: skip
    return RedirectResponse(f"/alerts/{alert_id}#response", status_code=303)
