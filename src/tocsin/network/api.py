"""Routes of the network: who am I, organisations, users, tokens."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Query, status

from tocsin.deps import NowDep, SessionDep, SettingsDep
from tocsin.errors import Forbidden, NotFound
from tocsin.network import people, regulatory, service
from tocsin.network.auth import NetworkDep, PrincipalDep
from tocsin.network.models import Role, Scope
from tocsin.network.principal import manages_tokens
from tocsin.network.schemas import (
    OrganisationIn,
    OrganisationOut,
    RegulatoryStatusIn,
    TokenCreated,
    TokenIn,
    TokenOut,
    UserIn,
    UserOut,
    UserPatch,
    WhoAmI,
)
from tocsin.pagination import decode_cursor, encode_cursor
from tocsin.schemas_common import PROBLEM_RESPONSES, Page

router = APIRouter(prefix="/api/v1", tags=["network"], responses=PROBLEM_RESPONSES)


@router.get("/me", response_model=WhoAmI)
def who_am_i(principal: PrincipalDep, session: SessionDep) -> WhoAmI:
    org = service.get_organisation(session=session, org_id=principal.org_id)
    user = (
        service.get_user(session=session, user_id=principal.user_id) if principal.user_id else None
    )
    return WhoAmI(
        organisation=OrganisationOut.model_validate(org),
        user=UserOut.model_validate(user) if user else None,
        scopes=sorted(principal.scopes),
        roles=sorted(principal.roles),
    )


@router.get("/organisations", response_model=Page[OrganisationOut])
def list_organisations(
    principal: PrincipalDep,
    session: SessionDep,
    settings: SettingsDep,
    cursor: str | None = None,
    limit: int = Query(default=100, ge=1, le=1000),
) -> Page[OrganisationOut]:
    principal.require_scope(Scope.read)
    after = decode_cursor(cursor) if cursor else None
    limit = min(limit, settings.page_size_max)
    orgs = service.list_organisations(session=session, after=after, limit=limit + 1)
    more = len(orgs) > limit
    orgs = orgs[:limit]
    return Page(
        items=[OrganisationOut.model_validate(o) for o in orgs],
        next=encode_cursor(orgs[-1].name, orgs[-1].id) if more else None,
    )


@router.get("/organisations/{org_id}", response_model=OrganisationOut)
def get_organisation(org_id: uuid.UUID, principal: PrincipalDep, session: SessionDep) -> object:
    principal.require_scope(Scope.read)
    return service.get_organisation(session=session, org_id=org_id)


@router.patch("/organisations/{org_id}/regulatory-status", response_model=OrganisationOut)
def set_regulatory_status(
    org_id: uuid.UUID,
    body: RegulatoryStatusIn,
    principal: PrincipalDep,
    session: SessionDep,
    now: NowDep,
) -> object:
    """Set the organisation's NIS2 status or public-health-code duty (hub administrators)."""
    principal.require_scope(Scope.admin)
    return regulatory.set_regulatory_status(
        session=session, org_id=org_id, now=now, actor=principal.actor, **body.model_dump()
    )


@router.post("/organisations", response_model=OrganisationOut, status_code=status.HTTP_201_CREATED)
def create_organisation(
    body: OrganisationIn, principal: PrincipalDep, session: SessionDep, now: NowDep
) -> object:
    principal.require_scope(Scope.admin)
    return service.create_organisation(
        session=session, now=now, actor=principal.actor, **body.model_dump()
    )


def _may_manage_people(principal: PrincipalDep, org_id: uuid.UUID, network: NetworkDep) -> bool:
    if Scope.admin in principal.scopes:
        return True
    return principal.org_id == org_id and Role.director in principal.roles


def _may_see_people(principal: PrincipalDep, org_id: uuid.UUID, network: NetworkDep) -> bool:
    if Scope.admin in principal.scopes or principal.org_id == org_id:
        return True
    return principal.org_id in network.relays_of(org_id)


@router.get("/organisations/{org_id}/users", response_model=list[UserOut])
def list_users(
    org_id: uuid.UUID, principal: PrincipalDep, session: SessionDep, network: NetworkDep
) -> object:
    principal.require_scope(Scope.read)
    if org_id not in network.orgs or not _may_see_people(principal, org_id, network):
        raise NotFound("no such organisation")
    return service.list_users(session=session, organisation_id=org_id)


@router.post("/users", response_model=UserOut, status_code=status.HTTP_201_CREATED)
def create_user(
    body: UserIn, principal: PrincipalDep, session: SessionDep, network: NetworkDep, now: NowDep
) -> object:
    principal.require_scope(Scope.write)
    if not _may_manage_people(principal, body.organisation_id, network):
        raise Forbidden("only an admin or the organisation's director adds users")
    return service.create_user(session=session, now=now, actor=principal.actor, **body.model_dump())


def require_manager(principal: PrincipalDep) -> None:
    """An admin, or a director (who administers their organisation's people and tokens)."""
    if not manages_tokens(principal):
        raise Forbidden("only an admin or a director manages people")


@router.patch("/users/{user_id}", response_model=UserOut)
def update_user(
    user_id: uuid.UUID, body: UserPatch, principal: PrincipalDep, session: SessionDep, now: NowDep
) -> object:
    """Disable (or enable again) a person of the caller's organisation: a disabled person's
    sessions end and their tokens stop working at once."""
    principal.require_scope(Scope.write)
    require_manager(principal)
    if Scope.admin not in principal.scopes and not service.roles_in(
        session=session, user_id=user_id, organisation_id=principal.org_id
    ):
        raise NotFound("no such user")
    return people.set_active(
        session=session, user_id=user_id, active=body.active, now=now, actor=principal.actor
    )


@router.get("/tokens", response_model=list[TokenOut])
def list_tokens(principal: PrincipalDep, session: SessionDep) -> object:
    """Every token of the organisation for an admin or its director; one's own otherwise."""
    principal.require_scope(Scope.read)
    return service.list_tokens(session=session, principal=principal)


@router.post("/tokens", response_model=TokenCreated, status_code=status.HTTP_201_CREATED)
def issue_token(
    body: TokenIn, principal: PrincipalDep, session: SessionDep, network: NetworkDep, now: NowDep
) -> TokenCreated:
    principal.require_scope(Scope.write)
    if not _may_manage_people(principal, body.organisation_id, network):
        raise Forbidden("only an admin or the organisation's director issues tokens")
    if Scope.admin in body.scopes and Scope.admin not in principal.scopes:
        raise Forbidden("only an admin token can grant the admin scope")
    token, secret = service.issue_token(
        session=session, now=now, actor=principal.actor, **body.model_dump()
    )
    return TokenCreated.model_validate(
        {**TokenOut.model_validate(token).model_dump(), "secret": secret}
    )


@router.delete("/tokens/{token_id}", response_model=TokenOut)
def revoke_token(
    token_id: uuid.UUID, principal: PrincipalDep, session: SessionDep, now: NowDep
) -> object:
    """One's own token, always; any token of the organisation for an admin or its director."""
    principal.require_scope(Scope.read)
    return service.revoke_token(session=session, token_id=token_id, principal=principal, now=now)
