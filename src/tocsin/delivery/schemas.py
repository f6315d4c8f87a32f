"""API shapes of delivery: webhook endpoints and attempts, e-mail preferences."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from tocsin.alerts.vocab import Severity
from tocsin.sms.phone import e164


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
    """What reaches you. In a change, a field left out keeps its value."""

    model_config = ConfigDict(extra="forbid")

    severities: list[Severity] = Field(
        default_factory=list,
        description="severities you receive by e-mail; empty: none. Until you choose, "
        "directors and security officers receive critical and high ones",
    )
    sms_severities: list[Severity] = Field(
        default_factory=list,
        description="severities you receive by SMS once you give a phone number; until you "
        "choose, critical ones for directors and security officers",
    )
    phone: str | None = Field(
        default=None, max_length=32,
        description="your mobile number in E.164 form (+33612345678); null or empty: none",
    )  # fmt: skip
    language: Literal["fr", "en"] | None = Field(
        default=None, description="the language of your messages; null: the hub's"
    )

    @field_validator("phone")
    @classmethod
    def _e164(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        return e164(value)


class NotificationPrefsOut(NotificationPrefs):
    sms_active: bool = Field(
        default=False, description="whether SMS reach you now (a phone and a severity)"
    )
