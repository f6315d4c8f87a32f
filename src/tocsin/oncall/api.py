"""Routes of the on-call list of an organisation."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from tocsin.deps import NowDep, SessionDep
from tocsin.errors import Forbidden
from tocsin.network.auth import NetworkDep, PrincipalDep
from tocsin.network.models import Scope
from tocsin.oncall import service
from tocsin.oncall.schemas import Contact, OnCallList
from tocsin.schemas_common import PROBLEM_RESPONSES

router = APIRouter(prefix="/api/v1", tags=["on-call"], responses=PROBLEM_RESPONSES)


@router.get("/organisations/{org_id}/on-call", response_model=OnCallList)
def get_on_call(
    org_id: uuid.UUID, principal: PrincipalDep, session: SessionDep, network: NetworkDep
) -> OnCallList:
    """Who to call in this organisation when its IT is down (itself and its relays)."""
    principal.require_scope(Scope.read)
    service.require_reader(principal, org_id, network)
    rows = service.contacts_of(session=session, org_id=org_id)
    return OnCallList(contacts=[Contact.model_validate(r) for r in rows])


@router.put("/organisations/{org_id}/on-call", response_model=OnCallList)
def put_on_call(
    org_id: uuid.UUID, body: OnCallList, principal: PrincipalDep, session: SessionDep,
    network: NetworkDep, now: NowDep,
) -> OnCallList:  # fmt: skip
    """Replace your organisation's list, in the order to call."""
    service.require_reader(principal, org_id, network)
    principal.require_writer()
    if principal.org_id != org_id:
        raise Forbidden("an organisation keeps its own on-call list; its relays read it")
    rows = service.replace(session=session, org_id=org_id, contacts=body.contacts,
                           by=principal.actor, now=now)  # fmt: skip
    return OnCallList(contacts=[Contact.model_validate(r) for r in rows])
