"""Routes of responses: a recipient sets its own; the source and relays see them all."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from tocsin.deps import NowDep, SessionDep, SettingsDep
from tocsin.network.auth import NetworkDep, PrincipalDep
from tocsin.network.models import Scope
from tocsin.responses import present, service
from tocsin.responses.schemas import (
    ChangeOut,
    EscalationOut,
    ResponseIn,
    ResponseOut,
    ResponseTable,
)
from tocsin.schemas_common import PROBLEM_RESPONSES

router = APIRouter(prefix="/api/v1", tags=["responses"], responses=PROBLEM_RESPONSES)


@router.put("/alerts/{alert_id}/response", response_model=ResponseOut)
def put_response(
    alert_id: uuid.UUID, body: ResponseIn, principal: PrincipalDep, session: SessionDep,
    network: NetworkDep, settings: SettingsDep, now: NowDep,
) -> ResponseOut:  # fmt: skip
    """Set your organisation's response to an alert it received (idempotent)."""
    alert, row = service.respond(
        session=session, alert_id=alert_id, by=principal, change=body, network=network, now=now
    )
    return present.response_out(session, alert, row, service.policy_from(settings))


@router.get("/alerts/{alert_id}/response", response_model=ResponseOut)
def get_response(
    alert_id: uuid.UUID, principal: PrincipalDep, session: SessionDep, network: NetworkDep,
    settings: SettingsDep,
) -> ResponseOut:  # fmt: skip
    """Your organisation's response to an alert it received."""
    principal.require_scope(Scope.read)
    alert, row = service.own_response(
        session=session, alert_id=alert_id, org_id=principal.org_id, network=network
    )
    return present.response_out(session, alert, row, service.policy_from(settings))


@router.get("/alerts/{alert_id}/response/history", response_model=list[ChangeOut])
def get_response_history(
    alert_id: uuid.UUID, principal: PrincipalDep, session: SessionDep, network: NetworkDep
) -> list[ChangeOut]:
    """Every change of your organisation's response, oldest first."""
    principal.require_scope(Scope.read)
    service.own_response(
        session=session, alert_id=alert_id, org_id=principal.org_id, network=network
    )
    rows = service.changes_of(session=session, alert_id=alert_id, org_id=principal.org_id)
    return [ChangeOut(at=r.at, by=r.actor_user_id, changes=r.changes) for r in rows]


@router.get("/alerts/{alert_id}/responses", response_model=ResponseTable)
def get_responses(
    alert_id: uuid.UUID, principal: PrincipalDep, session: SessionDep, network: NetworkDep,
    settings: SettingsDep,
) -> ResponseTable:  # fmt: skip
    """Every recipient's response, with totals: for the source and the relays."""
    principal.require_scope(Scope.read)
    alert = service.overseen_alert(
        session=session, alert_id=alert_id, viewer_id=principal.org_id, network=network
    )
    rows = service.responses_of(session=session, alert_id=alert_id)
    return present.table(session, alert, rows, service.policy_from(settings))


@router.get("/alerts/{alert_id}/escalations", response_model=list[EscalationOut])
def get_escalations(
    alert_id: uuid.UUID, principal: PrincipalDep, session: SessionDep, network: NetworkDep
) -> list[EscalationOut]:
    """Escalations of silence on this alert, fired and pending: for the source and relays."""
    principal.require_scope(Scope.read)
    service.overseen_alert(
        session=session, alert_id=alert_id, viewer_id=principal.org_id, network=network
    )
    rows = service.escalations_of(session=session, alert_id=alert_id)
    return present.escalations(session, rows)
