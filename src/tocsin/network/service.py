"""Organisations, users, roles and tokens.

Functions never commit: the caller owns the transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tocsin.audit.service import Actor
from tocsin.audit.service import record as audit
from tocsin.clock import as_utc
from tocsin.errors import Conflict, FieldError, InvalidInput, NotFound, Unauthenticated
from tocsin.network.models import (
    ApiToken,
    Membership,
    Nis2Status,
    Organisation,
    OrgKind,
    Role,
    Scope,
    User,
)
from tocsin.network.principal import Principal, manages_tokens, person_scopes
from tocsin.network.secrets import hash_password, new_token_secret, token_digest
from tocsin.network.snapshot import load_network as load_network
from tocsin.network.token_use import note_use_at_commit


def _parent_errors(
    session: Session, kind: OrgKind, group_id: uuid.UUID | None, region_id: uuid.UUID | None
) -> list[FieldError]:
    errors: list[FieldError] = []
    group = session.get(Organisation, group_id) if group_id else None
    region = session.get(Organisation, region_id) if region_id else None
    if group_id and (group is None or group.kind != OrgKind.group):
        errors.append(FieldError("group_id", "not a group (GHT) organisation"))
    if region_id and (region is None or region.kind != OrgKind.region):
        errors.append(FieldError("region_id", "not a region (ARS) organisation"))
    if kind == OrgKind.establishment:
        if not group_id:
            errors.append(FieldError("group_id", "an establishment belongs to one group"))
        if not region_id:
            errors.append(FieldError("region_id", "an establishment belongs to one region"))
    if kind == OrgKind.group and not region_id:
        errors.append(FieldError("region_id", "a group belongs to one region"))
    if kind in (OrgKind.region, OrgKind.national) and (group_id or region_id):
        errors.append(FieldError("kind", f"a {kind.value} has no parent organisation"))
    if group and region and group.region_id != region.id:
        errors.append(FieldError("group_id", "the group belongs to another region"))
    return errors


def create_organisation(
    *,
    session: Session,
    name: str,
    kind: OrgKind,
    now: datetime,
    actor: Actor,
    finess: str | None = None,
    legal_finess: str | None = None,
    group_id: uuid.UUID | None = None,
    region_id: uuid.UUID | None = None,
    nis2: Nis2Status = Nis2Status.none,
    csp_health: bool | None = None,
) -> Organisation:
    """Add an organisation to the network, checking it fits the hierarchy."""
    errors = _parent_errors(session, kind, group_id, region_id)
    if kind == OrgKind.establishment and not finess:
        errors.append(FieldError("finess", "an establishment has a FINESS number"))
    if finess and session.scalar(select(Organisation.id).where(Organisation.finess == finess)):
        errors.append(FieldError("finess", "already used by another organisation"))
    if errors:
        raise InvalidInput(errors)
    org = Organisation(
        name=name,
        kind=kind,
        finess=finess,
        legal_finess=legal_finess,
        group_id=group_id,
        region_id=region_id,
        created_at=now,
        nis2=nis2,
        csp_health=kind == OrgKind.establishment if csp_health is None else csp_health,
    )
    session.add(org)
    session.flush()
    audit(
        session=session,
        actor=actor,
        action="organisation.create",
        target_type="organisation",
        target_id=org.id,
        at=now,
        concerns=[org.id, group_id, region_id],
        details={"name": name, "kind": kind.value, "finess": finess},
    )
    return org


def get_organisation(*, session: Session, org_id: uuid.UUID) -> Organisation:
    org = session.get(Organisation, org_id)
    if org is None:
        raise NotFound("no such organisation")
    return org


def list_organisations(
    *, session: Session, after: tuple[str, uuid.UUID] | None, limit: int
) -> list[Organisation]:
    """Organisations ordered by name then id, strictly after the cursor."""
    query = select(Organisation).order_by(Organisation.name, Organisation.id).limit(limit)
    if after is not None:
        name, org_id = after
        query = query.where(
            (Organisation.name > name) | ((Organisation.name == name) & (Organisation.id > org_id))
        )
    return list(session.scalars(query))


def names_of(*, session: Session, org_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The names of some organisations, by id."""
    wanted = set(org_ids)
    if not wanted:
        return {}
    rows = session.execute(
        select(Organisation.id, Organisation.name).where(Organisation.id.in_(wanted))
    )
    return {org_id: name for org_id, name in rows}


def mailboxes(
    *, session: Session, org_ids: Iterable[uuid.UUID], roles: Iterable[Role]
) -> list[tuple[uuid.UUID, Role, str]]:
    """(organisation, role, e-mail) of the active users holding these roles there."""
    wanted = set(org_ids)
    if not wanted:
        return []
    rows = session.execute(
        select(Membership.organisation_id, Membership.role, User.email)
        .join(User, User.id == Membership.user_id)
        .where(Membership.organisation_id.in_(wanted), User.active.is_(True))
        .where(Membership.role.in_(list(roles)))
    )
    return [(org_id, role, email) for org_id, role, email in rows]


def establishments_among(
    *, session: Session, org_ids: Iterable[uuid.UUID], limit: int
) -> list[Organisation]:
    """The establishments among some organisations, by name, at most `limit`."""
    query = (
        select(Organisation)
        .where(Organisation.id.in_(set(org_ids)), Organisation.kind == OrgKind.establishment)
        .order_by(Organisation.name)
        .limit(limit)
    )
    return list(session.scalars(query))


def create_user(
    *,
    session: Session,
    email: str,
    display_name: str,
    organisation_id: uuid.UUID,
    roles: list[Role],
    now: datetime,
    actor: Actor,
    password: str | None = None,
) -> User:
    """Create a user with roles in one organisation."""
    get_organisation(session=session, org_id=organisation_id)
    email = email.strip().lower()
    if session.scalar(select(User.id).where(User.email == email)):
        raise InvalidInput.one("email", "already used by another user")
    user = User(
        email=email,
        display_name=display_name,
        password_hash=hash_password(password) if password else None,
        created_at=now,
    )
    session.add(user)
    session.flush()
    for role in sorted(set(roles)):
        grant_role(
            session=session,
            user_id=user.id,
            organisation_id=organisation_id,
            role=role,
            now=now,
            actor=actor,
        )
    session.refresh(user)
    return user


def grant_role(
    *,
    session: Session,
    user_id: uuid.UUID,
    organisation_id: uuid.UUID,
    role: Role,
    now: datetime,
    actor: Actor,
) -> Membership:
    """Give a user a role in an organisation (idempotent)."""
    existing = session.scalar(
        select(Membership).where(
            Membership.user_id == user_id,
            Membership.organisation_id == organisation_id,
            Membership.role == role,
        )
    )
    if existing is not None:
        return existing
    membership = Membership(user_id=user_id, organisation_id=organisation_id, role=role)
    session.add(membership)
    session.flush()
    audit(
        session=session,
        actor=actor,
        action="membership.grant",
        target_type="user",
        target_id=user_id,
        at=now,
        concerns=[organisation_id],
        details={"organisation_id": str(organisation_id), "role": role.value},
    )
    return membership


def get_user(*, session: Session, user_id: uuid.UUID) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("no such user")
    return user


def list_users(*, session: Session, organisation_id: uuid.UUID) -> list[User]:
    query = (
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.organisation_id == organisation_id)
        .order_by(User.email)
        .distinct()
    )
    return list(session.scalars(query))


def roles_in(*, session: Session, user_id: uuid.UUID, organisation_id: uuid.UUID) -> set[Role]:
    rows = session.scalars(
        select(Membership.role).where(
            Membership.user_id == user_id, Membership.organisation_id == organisation_id
        )
    )
    return set(rows)


def issue_token(
    *,
    session: Session,
    organisation_id: uuid.UUID,
    name: str,
    scopes: list[Scope],
    now: datetime,
    actor: Actor,
    user_id: uuid.UUID | None = None,
    expires_at: datetime | None = None,
) -> tuple[ApiToken, str]:
    """Create a token; the secret is returned once and only its digest is kept."""
    get_organisation(session=session, org_id=organisation_id)
    if user_id is not None and not roles_in(
        session=session, user_id=user_id, organisation_id=organisation_id
    ):
        raise InvalidInput.one("user_id", "the user has no role in this organisation")
    if user_id is not None and not get_user(session=session, user_id=user_id).active:
        raise InvalidInput.one("user_id", "the user is disabled")
    if expires_at is not None and as_utc(expires_at) <= now:
        raise InvalidInput.one("expires_at", "must be in the future")
    secret = new_token_secret()
    token = ApiToken(
        organisation_id=organisation_id,
        user_id=user_id,
        name=name,
        digest=token_digest(secret),
        prefix=secret[:10],
        scopes=sorted({s.value for s in scopes}),
        created_at=now,
        expires_at=expires_at,
    )
    session.add(token)
    try:
        session.flush()
    except IntegrityError as exc:  # a digest collision is astronomically unlikely
        raise Conflict("token could not be created, try again") from exc
    audit(
        session=session,
        actor=actor,
        action="token.issue",
        target_type="token",
        target_id=token.id,
        at=now,
        concerns=[organisation_id],
        details={"name": name, "scopes": token.scopes, "user_id": str(user_id or "")},
    )
    return token, secret


def _own(principal: Principal) -> ColumnElement[bool]:
    if principal.user_id is not None:
        return ApiToken.user_id == principal.user_id
    return ApiToken.id == principal.token_id


def list_tokens(*, session: Session, principal: Principal) -> list[ApiToken]:
    """The organisation's tokens this caller may see (all of them for those who manage them)."""
    query = (
        select(ApiToken)
        .where(ApiToken.organisation_id == principal.org_id)
        .order_by(ApiToken.created_at, ApiToken.id)
    )
    if not manages_tokens(principal):
        query = query.where(_own(principal))
    return list(session.scalars(query))


def revoke_token(
    *, session: Session, token_id: uuid.UUID, principal: Principal, now: datetime
) -> ApiToken:
    """Revoke a token the caller may see (`list_tokens`); revoking twice is harmless. One's
    own token needs no write scope: giving up access is always allowed."""
    token = session.get(ApiToken, token_id)
    if token is None or token.organisation_id != principal.org_id:
        raise NotFound("no such token")
    if token not in list_tokens(session=session, principal=principal):
        raise NotFound("no such token")
    mine = (
        token.user_id == principal.user_id if principal.user_id else token.id == principal.token_id
    )
    if not mine:
        principal.require_scope(Scope.write)  # someone else's token: the manager acts
    if token.revoked_at is None:
        token.revoked_at = now
        audit(session=session, actor=principal.actor, action="token.revoke", target_type="token",
              target_id=token.id, at=now, concerns=[principal.org_id])  # fmt: skip
    return token


def authenticate(
    *, session: Session, secret: str, now: datetime, source_ip: str | None = None
) -> Principal:
    """Resolve a bearer secret to a principal, or raise Unauthenticated.

    The token, its organisation and its person are read in one statement: every request of
    the API starts here."""
    found = session.execute(
        select(ApiToken, Organisation, User)
        .outerjoin(Organisation, Organisation.id == ApiToken.organisation_id)
        .outerjoin(User, User.id == ApiToken.user_id)
        .where(ApiToken.digest == token_digest(secret))
    ).first()
    if found is None or found[0].revoked_at is not None:
        raise Unauthenticated("invalid or revoked token")
    token, org, user = found
    if token.expires_at is not None and as_utc(token.expires_at) <= now:
        raise Unauthenticated("token expired")
    if org is None:
        raise Unauthenticated("token of a removed organisation")
    roles: set[Role] = set()
    scopes = frozenset(Scope(s) for s in token.scopes)
    if token.user_id is not None:
        if user is None or not user.active:
            raise Unauthenticated("token of an inactive user")
        roles = roles_in(session=session, user_id=user.id, organisation_id=org.id)
        if not roles:
            raise Unauthenticated("token of a person who no longer belongs to the organisation")
        scopes = person_scopes(scopes, roles)
    note_use_at_commit(session, token, now)
    return Principal(
        token_id=token.id,
        org_id=org.id,
        org_kind=org.kind.value,
        user_id=token.user_id,
        scopes=scopes,
        roles=frozenset(roles),
        source_ip=source_ip,
    )
