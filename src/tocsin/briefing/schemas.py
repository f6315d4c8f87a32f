"""API shapes of the documents of an alert."""

from __future__ import annotations

import enum
import uuid

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class Audience(enum.StrEnum):
    staff = "staff"  # every employee: what to do now, in plain words
    director = "director"  # one page: what happened, impact on care, decisions needed


class DocumentFormat(enum.StrEnum):
    html = "html"
    pdf = "pdf"
    txt = "txt"


class Language(enum.StrEnum):
    fr = "fr"
    en = "en"


class NoticeIn(BaseModel):
    """The notice as the security officer edited it, recorded when it is sent."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    audience: Audience
    language: Language = Language.fr
    text: str = Field(min_length=1, max_length=20_000)


class NoticeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    alert_id: uuid.UUID
    audience: Audience
    language: Language
    text: str
    sent_by_user_id: uuid.UUID | None
    sent_at: AwareDatetime
