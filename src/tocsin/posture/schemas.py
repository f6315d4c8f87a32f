"""API shapes of posture."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from tocsin.posture.models import Domain, ItemStatus

Key = str


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ItemIn(Strict):
    key: Key = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_]+$")
    domain: Domain
    title_fr: str = Field(min_length=1, max_length=300)
    title_en: str = Field(min_length=1, max_length=300)
    weight: int = Field(default=1, ge=0, le=10)
    max_age_days: int | None = Field(default=None, ge=1, le=3650)
    position: int = Field(default=0, ge=0, le=10_000)


class ItemPatch(Strict):
    domain: Domain | None = None
    title_fr: str | None = Field(default=None, min_length=1, max_length=300)
    title_en: str | None = Field(default=None, min_length=1, max_length=300)
    weight: int | None = Field(default=None, ge=0, le=10)
    max_age_days: int | None = Field(default=None, ge=1, le=3650)
    position: int | None = Field(default=None, ge=0, le=10_000)
    active: bool | None = None


class ItemOut(BaseModel):
    key: str
    domain: Domain
    title_fr: str
    title_en: str
    weight: int
    max_age_days: int | None
    position: int
    active: bool


class AnswerIn(Strict):
    status: ItemStatus
    evidence: str = Field(default="", max_length=5000)
    evidenced_on: AwareDatetime | None = None


class LineOut(BaseModel):
    item: ItemOut
    status: ItemStatus | None
    evidence: str
    evidenced_on: datetime | None
    updated_by: uuid.UUID | None
    updated_at: datetime | None
    stale: bool


class SignoffIn(Strict):
    note: str = Field(default="", max_length=5000)


class SignoffOut(BaseModel):
    signed_by: uuid.UUID | None
    signed_at: datetime
    score: int
    note: str


class PostureOut(BaseModel):
    organisation_id: uuid.UUID
    score: int
    lines: list[LineOut]
    last_signoff: SignoffOut | None
