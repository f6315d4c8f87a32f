"""API shapes of the network: organisations, users, memberships, tokens."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, EmailStr, Field

from tocsin.network.finess import validate_finess
from tocsin.network.models import Nis2Status, OrgKind, Role, Scope

Finess = Annotated[str, AfterValidator(validate_finess)]


class OrganisationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    kind: OrgKind
    finess: Finess | None = None
    legal_finess: Finess | None = None
    group_id: uuid.UUID | None = None
    region_id: uuid.UUID | None = None
    nis2: Nis2Status = Field(default=Nis2Status.none, description="essential, important or none")
    csp_health: bool | None = Field(
        default=None,
        description="bound by CSP L.1111-8-2 (ARS declaration); default: every establishment",
    )


class RegulatoryStatusIn(BaseModel):
    """Which legal clocks start when the organisation declares an incident."""

    model_config = ConfigDict(extra="forbid")

    nis2: Nis2Status | None = Field(default=None, description="essential, important or none")
    csp_health: bool | None = Field(default=None, description="bound by CSP L.1111-8-2 (ARS)")


class OrganisationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    kind: OrgKind
    finess: str | None
    legal_finess: str | None
    group_id: uuid.UUID | None
    region_id: uuid.UUID | None
    created_at: datetime
    nis2: Nis2Status
    csp_health: bool


class MembershipOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    organisation_id: uuid.UUID
    role: Role


class UserIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailStr
    display_name: str = Field(min_length=1, max_length=200)
    password: str | None = Field(default=None, min_length=12, max_length=200)
    organisation_id: uuid.UUID
    roles: list[Role] = Field(min_length=1)


class UserPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    active: bool = Field(description="false: the person's sessions end and tokens stop working")


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    email: str
    display_name: str
    active: bool
    memberships: list[MembershipOut]


class TokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    organisation_id: uuid.UUID
    user_id: uuid.UUID | None = Field(default=None, description="absent: an integration token")
    scopes: list[Scope] = Field(min_length=1)
    expires_at: AwareDatetime | None = None


class TokenOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    organisation_id: uuid.UUID
    user_id: uuid.UUID | None
    prefix: str
    scopes: list[Scope]
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


class TokenCreated(TokenOut):
    secret: str = Field(description="shown once; only its digest is stored")


class WhoAmI(BaseModel):
    organisation: OrganisationOut
    user: UserOut | None
    scopes: list[Scope]
    roles: list[Role]
