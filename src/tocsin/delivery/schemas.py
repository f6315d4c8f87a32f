"""API shapes of delivery: webhook endpoints and attempts, e-mail preferences."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from tocsin.alerts.vocab import Severity


class WebhookIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(min_length=1, max_length=2048, description="http(s) URL of the receiver")
    description: str | None = Field(default=None, max_length=200)


class WebhookOut(BaseModel):
    id: uuid.UUID
    url: str
    description: str | None
    active: bool
    created_at: datetime
    failing_since: datetime | None
    disabled_at: datetime | None
    disabled_reason: str | None


class WebhookCreated(WebhookOut):
    secret: str = Field(
        description="Standard Webhooks signing secret (whsec_...). Shown once: store it now."
    )


class AttemptOut(BaseModel):
    id: int
    delivery_id: int
    event_id: uuid.UUID
    at: datetime
    status_code: int | None
    error: str | None
    duration_ms: int
    ok: bool


class DeliveryOut(BaseModel):
    id: int
    event_id: uuid.UUID
    alert_id: uuid.UUID
    revision: int
    status: str
    attempts: int
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    last_error: str | None


class NotificationPrefs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    severities: list[Severity] = Field(
        default_factory=list, description="severities you want by e-mail; empty: none"
    )
