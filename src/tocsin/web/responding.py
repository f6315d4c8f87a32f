"""The recipient's response from the browser: acknowledge, applicability, updates.

Plugs into the pages through the hooks of `web.hooks` (the alert page's response section,
the inbox and dashboard columns) and posts to the responses service, like the API does.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from tocsin.alerts.models import Alert
from tocsin.deps import NetworkDep, NowDep, SessionDep, StateDep
from tocsin.errors import Conflict, Forbidden, InvalidInput, NotFound
from tocsin.network.principal import Principal
from tocsin.responses import service
from tocsin.responses.deadlines import Obligation, Stage, due_at
from tocsin.responses.models import AlertResponse, Applicability
from tocsin.responses.schemas import ResponseIn
from tocsin.state import AppState
from tocsin.web import hooks
from tocsin.web.auth import FormDep, PostingMemberDep, can_write, principal_of
from tocsin.web.i18n import translations
from tocsin.web.inbox import not_found_page, page, refused_page
from tocsin.web.render import environment

router = APIRouter(include_in_schema=False)


def escalates_at(state: AppState, alert: Alert, row: AlertResponse) -> datetime | None:
    if row.acknowledged_at is not None or not row.recipient:
        return None
    policy = service.policy_from(state.settings)
    return due_at(policy, Obligation.acknowledge, Stage.director, alert.severity, row.reached_at)


def _writer(principal: Principal) -> bool:
    try:
        principal.require_writer()
    except Forbidden:
        return False
    return True


def _section(state: AppState) -> Any:
    def render(
        session: Session, principal: Principal, alert_id: uuid.UUID, csrf: str, language: str
    ) -> str:
        row = session.scalar(
            select(AlertResponse).where(
                AlertResponse.alert_id == alert_id, AlertResponse.org_id == principal.org_id
            )
        )
        alert = session.get(Alert, alert_id)
        if row is None or alert is None:
            return ""  # not a recipient: the source and relays see the table instead
        catalogue = translations(language)
        return environment().get_template("_response.html").render(
            _=catalogue.gettext, row=row, alert_id=alert_id, csrf=csrf,
            can_respond=_writer(principal) and row.recipient,
            applicabilities=[a.value for a in Applicability],
            escalates_at=escalates_at(state, alert, row),
        )  # fmt: skip

    return render


def _cells(state: AppState) -> Any:
    def cells(
        session: Session, org_id: uuid.UUID, alert_ids: list[uuid.UUID]
    ) -> dict[uuid.UUID, dict[str, str]]:
        rows = session.execute(
            select(AlertResponse, Alert)
            .join(Alert, Alert.id == AlertResponse.alert_id)
            .where(AlertResponse.org_id == org_id, AlertResponse.alert_id.in_(alert_ids))
        ).all()
        found: dict[uuid.UUID, dict[str, str]] = {}
        for row, alert in rows:
            cell: dict[str, str] = {}
            if row.acknowledged_at is not None:
                cell["acknowledged_at"] = row.acknowledged_at.strftime("%Y-%m-%d %H:%M UTC")
                minutes = (row.acknowledged_at - row.reached_at).total_seconds() / 60
                cell["time_to_acknowledge"] = f"{minutes:.0f} min"
            elif (escalates := escalates_at(state, alert, row)) is not None:
                cell["escalates_at"] = escalates.strftime("%Y-%m-%d %H:%M UTC")
            if row.applicability is not None:
                cell["applicability"] = row.applicability.value
            found[alert.id] = cell
        return found

    return cells


def install(state: AppState) -> None:
    """Register the hooks the pages call."""
    state.components[hooks.ALERT_RESPONSE] = _section(state)
    state.components[hooks.RESPONSE_CELLS] = _cells(state)


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
    session: SessionDep, network: NetworkDep, now: NowDep, state: StateDep,
) -> Response:  # fmt: skip
    """Acknowledge, set applicability, post an update or close, then back to the alert page.

    A refusal is a page that says why: a read-only account, an organisation that did not
    receive the alert, an acknowledgement that cannot be withdrawn.
    """
    if not can_write(who):
        return refused_page(request, who)
    try:
        service.respond(session=session, alert_id=alert_id, by=principal_of(who),
                        change=_change(form), network=network, now=now)  # fmt: skip
    except NotFound:
        return not_found_page(request, who)
    except (Forbidden, Conflict, InvalidInput) as refused:
        return page(request, who, "message.html", refused.status, message=refused.detail)
    return RedirectResponse(f"/alerts/{alert_id}#response", status_code=303)
