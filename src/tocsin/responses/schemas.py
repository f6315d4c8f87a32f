"""API shapes of responses and escalations."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from tocsin.alerts.schemas import OrgRef
from tocsin.alerts.vocab import Severity
from tocsin.responses.deadlines import Obligation
from tocsin.responses.models import Applicability, EscalationStatus


class ResponseIn(BaseModel):
    """The caller organisation's response; absent fields are left as they are."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    acknowledged: bool | None = Field(
        default=None, description="true: acknowledged by the calling person (not by a token)"
    )
    applicability: Applicability | None = None
    update: str | None = Field(
        default=None,
        min_length=1,
        max_length=10_000,
        description="a free-text update, appended unless it repeats the latest one",
    )
    closed: bool | None = Field(default=None, description="true: done with this alert")


class PersonRef(BaseModel):
    id: uuid.UUID
    display_name: str


class UpdateOut(BaseModel):
    at: datetime
    by: uuid.UUID | None = Field(description="the user who wrote it, none for an integration")
    text: str


class ResponseRow(BaseModel):
    """One recipient organisation's response, as its relays and the alert's source see it."""

    organisation: OrgRef
    reached_revision: int
    reached_at: datetime
    received_at: datetime | None
    acknowledged_at: datetime | None
    acknowledged_by: PersonRef | None
    time_to_acknowledge_seconds: float | None
    acknowledge_due_at: datetime | None
    first_update_due_at: datetime | None
    applicability: Applicability | None
    last_update: UpdateOut | None
    update_count: int
    closed_at: datetime | None


class ResponseOut(ResponseRow):
    """The caller organisation's own response, with every update."""

    alert_id: uuid.UUID
    updates: list[UpdateOut]


class ResponseTotals(BaseModel):
    recipients: int
    received: int
    acknowledged: int
    affected: int
    not_affected: int
    investigating: int
    closed: int
    median_time_to_acknowledge_seconds: float | None


class ResponseTable(BaseModel):
    alert_id: uuid.UUID
    severity: Severity
    totals: ResponseTotals
    responses: list[ResponseRow]


class ChangeOut(BaseModel):
    at: datetime
    by: uuid.UUID | None
    changes: dict[str, object]


class EscalationOut(BaseModel):
    id: uuid.UUID
    organisation: OrgRef
    obligation: Obligation
    stage: Literal["director", "relays"] = Field(description="who is told: stage 1, then 2")
    due_at: datetime
    status: EscalationStatus
    fired_at: datetime | None
    notified: list[OrgRef] = Field(description="organisations told (live event and e-mail)")
    notified_people: int = Field(description="how many people were e-mailed")
