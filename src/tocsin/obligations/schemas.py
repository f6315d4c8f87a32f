"""API shapes of regulatory obligations and their submissions."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from tocsin.obligations.clocks import Status


class SubmissionIn(BaseModel):
    """That a step was sent to its regulator: when, its reference, the file sent."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    submitted_at: AwareDatetime | None = Field(default=None, description="default: now")
    reference: str | None = Field(
        default=None, max_length=200, description="the regulator's reference (portal receipt)"
    )
    file_name: str | None = Field(default=None, max_length=255, description="the file sent")
    file_sha256: str | None = Field(
        default=None, pattern="^[0-9a-fA-F]{64}$", description="SHA-256 of the file sent"
    )
    late_reason: str | None = Field(
        default=None,
        min_length=1,
        max_length=20_000,
        description="required when the step is sent after its due time (GDPR art. 33(1))",
    )


class ObligationOut(BaseModel):
    id: uuid.UUID
    declaration_id: uuid.UUID
    regime: str = Field(description="nis2, cnil or ars")
    step: str = Field(description="early_warning, notification, final_report, declaration, ...")
    authority: str
    source: str = Field(description="the legal text that sets the step")
    contents: list[str] = Field(description="what the step must contain")
    starts_at: datetime | None
    due_at: datetime | None
    status: Status
    submitted_at: datetime | None
    submitted_by: uuid.UUID | None
    reference: str | None
    file_name: str | None
    file_sha256: str | None
    late_reason: str | None
