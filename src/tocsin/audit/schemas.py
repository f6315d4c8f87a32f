"""API shapes of the audit trail."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class AuditRecordOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int
    at: datetime
    actor_user_id: uuid.UUID | None
    actor_org_id: uuid.UUID | None
    actor_token_id: uuid.UUID | None
    source_ip: str | None
    action: str
    target_type: str
    target_id: str
    concerns: list[str]
    details: dict[str, Any]
    prev_digest: str
    digest: str


class AuditPage(BaseModel):
    items: list[AuditRecordOut]
    next: str | None
