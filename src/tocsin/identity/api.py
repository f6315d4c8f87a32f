"""Routes of identity: an administrator resets a person's second factors, and the hub's
administrators manage organisations' OpenID Connect providers."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, BackgroundTasks, Response, status

from tocsin.deps import NowDep, SessionDep, StateDep
from tocsin.errors import Forbidden, NotFound
from tocsin.identity import factors, mail, providers
from tocsin.identity.schemas import ProviderIn, ProviderOut
from tocsin.network import service as network_service
from tocsin.network.auth import PrincipalDep
from tocsin.network.models import Scope
from tocsin.network.principal import manages_tokens
from tocsin.schemas_common import PROBLEM_RESPONSES

router = APIRouter(prefix="/api/v1", tags=["identity"], responses=PROBLEM_RESPONSES)


@router.delete("/users/{user_id}/factors", status_code=status.HTTP_204_NO_CONTENT)
def reset_factors(
    user_id: uuid.UUID,
    principal: PrincipalDep,
    session: SessionDep,
    state: StateDep,
    now: NowDep,
    background: BackgroundTasks,
) -> Response:
    """Remove a person's second factors and recovery codes and end their sessions (a lost
    phone or key); the person is told by e-mail. An admin, or a director of the person's
    organisation."""
    principal.require_scope(Scope.write)
    if not manages_tokens(principal):
        raise Forbidden("only an admin or a director resets second factors")
    user = network_service.get_user(session=session, user_id=user_id)
    if Scope.admin not in principal.scopes and not network_service.roles_in(
        session=session, user_id=user_id, organisation_id=principal.org_id
    ):
        raise NotFound("no such user")
    factors.reset(session=session, user=user, now=now, actor=principal.actor)
    if state.mailer is not None:
        background.add_task(state.mailer.send, mail.factors_reset(user, state.settings))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/organisations/{org_id}/identity-providers", response_model=list[ProviderOut])
def list_providers(org_id: uuid.UUID, principal: PrincipalDep, session: SessionDep) -> object:
    principal.require_scope(Scope.admin)
    return providers.of_organisation(session=session, organisation_id=org_id)


@router.post(
    "/organisations/{org_id}/identity-providers",
    response_model=ProviderOut,
    status_code=status.HTTP_201_CREATED,
)
def add_provider(
    org_id: uuid.UUID, body: ProviderIn, principal: PrincipalDep, session: SessionDep,
    state: StateDep, now: NowDep,
) -> object:  # fmt: skip
    """Let an organisation's people sign in through its OpenID Connect provider."""
    principal.require_scope(Scope.admin)
    fields = body.model_dump()
    fields["role_map"] = {k: v.value for k, v in body.role_map.items()}
    return providers.create(
        session=session, organisation_id=org_id, fields=fields, now=now, actor=principal.actor,
        secret_key=state.settings.secret_key.get_secret_value(),
    )  # fmt: skip


@router.delete(
    "/organisations/{org_id}/identity-providers/{provider_id}",
    status_code=status.HTTP_204_NO_CONTENT,
)
def remove_provider(
    org_id: uuid.UUID, provider_id: uuid.UUID, principal: PrincipalDep, session: SessionDep,
    now: NowDep,
) -> Response:  # fmt: skip
    principal.require_scope(Scope.admin)
    providers.remove(session=session, organisation_id=org_id, provider_id=provider_id, now=now,
                     actor=principal.actor)  # fmt: skip
    return Response(status_code=status.HTTP_204_NO_CONTENT)
