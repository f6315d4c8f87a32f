"""Routes of posture: the checklist (national CERT), answers, score and sign-off."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from tocsin.deps import NowDep, SessionDep
from tocsin.errors import Forbidden
from tocsin.network.auth import NetworkDep, PrincipalDep
from tocsin.network.models import Scope
from tocsin.posture import service
from tocsin.posture.models import PostureItem
from tocsin.posture.schemas import (
    AnswerIn,
    ItemIn,
    ItemOut,
    ItemPatch,
    LineOut,
    PostureOut,
    SignoffIn,
    SignoffOut,
)
from tocsin.schemas_common import PROBLEM_RESPONSES

router = APIRouter(prefix="/api/v1/posture", tags=["posture"], responses=PROBLEM_RESPONSES)


def item_out(item: PostureItem) -> ItemOut:
    return ItemOut.model_validate(item, from_attributes=True)


def posture_out(posture: service.Posture) -> PostureOut:
    lines = [
        LineOut(
            item=item_out(item),
            status=answer.status if answer else None,
            evidence=answer.evidence if answer else "",
            evidenced_on=answer.evidenced_on if answer else None,
            updated_by=answer.updated_by if answer else None,
            updated_at=answer.updated_at if answer else None,
            stale=stale,
        )
        for item, answer, stale in posture.lines
    ]
    last = posture.last_signoff
    return PostureOut(
        organisation_id=posture.organisation_id,
        score=posture.score,
        lines=lines,
        last_signoff=SignoffOut.model_validate(last, from_attributes=True) if last else None,
    )


@router.get("/items", response_model=list[ItemOut])
def list_items(principal: PrincipalDep, session: SessionDep, now: NowDep) -> list[ItemOut]:
    """The checklist every establishment answers."""
    principal.require_scope(Scope.read)
    return [item_out(i) for i in service.list_items(session=session, now=now)]


@router.post("/items", response_model=ItemOut, status_code=status.HTTP_201_CREATED)
def create_item(body: ItemIn, principal: PrincipalDep, session: SessionDep, now: NowDep) -> ItemOut:
    """Add a checklist item (national CERT)."""
    service.require_national_editor(principal)
    return item_out(service.create_item(session=session, body=body, by=principal.actor, now=now))


@router.patch("/items/{key}", response_model=ItemOut)
def edit_item(
    key: str, body: ItemPatch, principal: PrincipalDep, session: SessionDep, now: NowDep
) -> ItemOut:
    """Change or retire a checklist item (national CERT)."""
    service.require_national_editor(principal)
    item = service.edit_item(session=session, key=key, patch=body, by=principal.actor, now=now)
    return item_out(item)


@router.get("/organisations/{org_id}", response_model=PostureOut)
def get_posture(
    org_id: uuid.UUID,
    principal: PrincipalDep,
    session: SessionDep,
    network: NetworkDep,
    now: NowDep,
) -> PostureOut:
    """An establishment's checklist, score and last sign-off (itself and its relays)."""
    principal.require_scope(Scope.read)
    service.require_reader(principal, org_id, network)
    return posture_out(service.posture_of(session=session, org_id=org_id, now=now))


@router.put("/organisations/{org_id}/items/{key}", response_model=PostureOut)
def answer_item(
    org_id: uuid.UUID,
    key: str,
    body: AnswerIn,
    principal: PrincipalDep,
    session: SessionDep,
    network: NetworkDep,
    now: NowDep,
) -> PostureOut:
    """Record status, evidence and date of one item, for your own organisation."""
    service.require_reader(principal, org_id, network)
    principal.require_writer()
    if principal.org_id != org_id:
        raise Forbidden("relays read a posture; only the establishment answers it")
    service.answer(session=session, org_id=org_id, key=key, body=body, by=principal.actor, now=now)
    return posture_out(service.posture_of(session=session, org_id=org_id, now=now))


@router.post(
    "/organisations/{org_id}/signoff",
    response_model=SignoffOut,
    status_code=status.HTTP_201_CREATED,
)
def sign_off(
    org_id: uuid.UUID, body: SignoffIn, principal: PrincipalDep, session: SessionDep, now: NowDep
) -> SignoffOut:
    """The director signs the checklist as it stands."""
    principal.require_scope(Scope.write)  # a signature is a write: not with a read-only token
    row = service.sign_off(
        session=session, principal=principal, org_id=org_id, note=body.note, now=now
    )
    return SignoffOut.model_validate(row, from_attributes=True)
