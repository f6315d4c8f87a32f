"""Routes of delivery: the live stream, webhook endpoints, e-mail preferences."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator

from fastapi import APIRouter, Header, Path, Query, status
from sse_starlette import EventSourceResponse, ServerSentEvent

from tocsin.alerts.vocab import Severity
from tocsin.db import transaction
from tocsin.delivery import notifications, service
from tocsin.delivery.content import envelope, event_type, is_exercise
from tocsin.delivery.models import WebhookAttempt, WebhookEndpoint
from tocsin.delivery.schemas import (
    AttemptOut,
    DeliveryOut,
    NotificationPrefs,
    NotificationPrefsOut,
    WebhookCreated,
    WebhookIn,
    WebhookOut,
)
from tocsin.deps import NowDep, SessionDep, SettingsDep, StateDep
from tocsin.errors import Forbidden, InvalidInput, Unavailable
from tocsin.livehub import Connection, LiveHub
from tocsin.network.auth import PrincipalDep, TokenOrBrowserDep
from tocsin.network.models import Scope
from tocsin.network.principal import Principal
from tocsin.schemas_common import PROBLEM_RESPONSES, Page
from tocsin.state import AppState

router = APIRouter(prefix="/api/v1", tags=["delivery"], responses=PROBLEM_RESPONSES)

REPLAY_LIMIT = 1000


def _replay(state: AppState, org_id: uuid.UUID, after: int) -> list[ServerSentEvent]:
    with transaction(state.sessions) as session:
        rows = service.replay(session=session, org_id=org_id, after_seq=after, limit=REPLAY_LIMIT)
        return [
            ServerSentEvent(
                id=str(row.seq),
                event=event_type(row.action),
                data=_data(
                    row.event_id, row.action, row.revision, row.created_at.isoformat(), body
                ),
            )
            for row, body in rows
        ]


def _data(event_id: uuid.UUID, action: str, revision: int, timestamp: str, body: object) -> str:
    doc = envelope(
        event_id=str(event_id), action=action, revision=revision, timestamp=timestamp, alert={},
        exercise=isinstance(body, dict) and is_exercise(body),
    )  # fmt: skip
    doc["data"] = body
    return json.dumps(doc)


def _last_event_id(raw: str | None) -> int | None:
    if raw is None or raw == "":
        return None
    if not raw.isdigit() or len(raw) > 18:
        raise InvalidInput.one("Last-Event-ID", "must be an id received from this stream")
    return int(raw)


async def _events(
    hub: LiveHub, connection: Connection, backlog: list[ServerSentEvent], after: int
) -> AsyncIterator[ServerSentEvent]:
    try:
        last = after
        for item in backlog:
            last = max(last, int(item.id or 0))
            yield item
        while True:
            event = await connection.next_event()
            if event is None:  # dropped for lagging, or node shutdown: the client reconnects
                return
            if int(event.id) <= last:
                continue  # already replayed
            last = int(event.id)
            yield ServerSentEvent(id=event.id, event=event.event, data=event.data)
    finally:
        hub.disconnect(connection)


@router.get(
    "/stream",
    response_class=EventSourceResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "alert events"}},
)
async def stream(
    state: StateDep,
    principal: TokenOrBrowserDep,
    last_event_id: str | None = Header(default=None, alias="Last-Event-ID"),
) -> EventSourceResponse:
    """Server-Sent Events of the alerts delivered to your organisation, with replay."""
    principal.require_scope(Scope.read)
    after = _last_event_id(last_event_id)
    hub = state.live_hub
    if hub is None:
        raise Unavailable("the live stream is not running on this node")
    # Connect before replaying, so nothing delivered meanwhile falls between the two.
    connection = hub.connect(principal.org_id, principal.token_id)
    try:
        backlog = (
            await asyncio.to_thread(_replay, state, principal.org_id, after)
            if after is not None
            else []
        )
    except BaseException:
        hub.disconnect(connection)
        raise
    return EventSourceResponse(
        _events(hub, connection, backlog, after or 0),
        ping=state.settings.stream_heartbeat_seconds,
        send_timeout=30,
    )


def _webhook_out(endpoint: WebhookEndpoint) -> WebhookOut:
    return WebhookOut(
        id=endpoint.id, url=endpoint.url, description=endpoint.description,
        active=endpoint.active, created_at=endpoint.created_at,
        failing_since=endpoint.failing_since, disabled_at=endpoint.disabled_at,
        disabled_reason=endpoint.disabled_reason,
    )  # fmt: skip


@router.post("/webhooks", response_model=WebhookCreated, status_code=status.HTTP_201_CREATED)
def create_webhook(
    body: WebhookIn, principal: PrincipalDep, session: SessionDep, now: NowDep,
    settings: SettingsDep,
) -> WebhookCreated:  # fmt: skip
    """Register an endpoint. The signing secret is in this answer only: it is never shown again."""
    principal.require_writer()
    endpoint, secret = service.create_webhook(
        session=session, org_id=principal.org_id, url=body.url, description=body.description,
        by=principal.actor, now=now, allow_private=settings.webhook_allow_private,
    )  # fmt: skip
    return WebhookCreated(**_webhook_out(endpoint).model_dump(), secret=secret)


@router.get("/webhooks", response_model=list[WebhookOut])
def list_webhooks(principal: PrincipalDep, session: SessionDep) -> list[WebhookOut]:
    """Your organisation's endpoints (without their secrets)."""
    principal.require_scope(Scope.read)
    return [
        _webhook_out(e) for e in service.list_webhooks(session=session, org_id=principal.org_id)
    ]


@router.get("/webhooks/{endpoint_id}", response_model=WebhookOut)
def get_webhook(endpoint_id: uuid.UUID, principal: PrincipalDep, session: SessionDep) -> WebhookOut:
    principal.require_scope(Scope.read)
    return _webhook_out(
        service.get_webhook(session=session, org_id=principal.org_id, endpoint_id=endpoint_id)
    )


@router.delete("/webhooks/{endpoint_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_webhook(
    endpoint_id: uuid.UUID, principal: PrincipalDep, session: SessionDep, now: NowDep
) -> None:
    """Stop sending to an endpoint; what was pending for it is dropped."""
    principal.require_writer()
    service.delete_webhook(
        session=session, org_id=principal.org_id, endpoint_id=endpoint_id,
        by=principal.actor, now=now,
    )  # fmt: skip


def _attempt_out(row: WebhookAttempt) -> AttemptOut:
    return AttemptOut(
        id=row.id, delivery_id=row.delivery_seq, event_id=row.event_id, at=row.at,
        status_code=row.status_code, error=row.error, duration_ms=row.duration_ms, ok=row.ok,
    )  # fmt: skip


@router.get("/webhooks/{endpoint_id}/attempts", response_model=Page[AttemptOut])
def list_attempts(
    endpoint_id: uuid.UUID, principal: PrincipalDep, session: SessionDep, settings: SettingsDep,
    cursor: str | None = None, limit: int = Query(default=50, ge=1, le=1000),
) -> Page[AttemptOut]:  # fmt: skip
    """Every attempt to send to this endpoint, newest first."""
    principal.require_scope(Scope.read)
    if cursor is not None and not (cursor.isdigit() and len(cursor) <= 18):
        raise InvalidInput.one("cursor", "not a cursor returned by this API")
    limit = min(limit, settings.page_size_max)
    rows = service.list_attempts(
        session=session, org_id=principal.org_id, endpoint_id=endpoint_id,
        before=int(cursor) if cursor else None, limit=limit + 1,
    )  # fmt: skip
    page = rows[:limit]
    return Page(
        items=[_attempt_out(r) for r in page],
        next=str(page[-1].id) if len(rows) > limit else None,
    )


@router.post(
    "/webhooks/{endpoint_id}/deliveries/{delivery_id}/redeliver",
    response_model=DeliveryOut,
    status_code=status.HTTP_202_ACCEPTED,
)
def redeliver(
    endpoint_id: uuid.UUID, principal: PrincipalDep, session: SessionDep, now: NowDep,
    delivery_id: int = Path(ge=1, le=2**62, description="the delivery's id (from attempts)"),
) -> DeliveryOut:  # fmt: skip
    """Send one delivery again, at once, with its original event id and content."""
    principal.require_writer()
    row = service.redeliver(
        session=session, org_id=principal.org_id, endpoint_id=endpoint_id,
        delivery_id=delivery_id, by=principal.actor, now=now,
    )  # fmt: skip
    return DeliveryOut(
        id=row.seq, event_id=row.event_id, alert_id=row.alert_id, revision=row.revision,
        status=row.status.value, attempts=row.attempts, next_attempt_at=row.next_attempt_at,
        delivered_at=row.delivered_at, last_error=row.last_error,
    )  # fmt: skip


def _user_id(principal: Principal) -> uuid.UUID:
    if principal.user_id is None:
        raise Forbidden("an integration token has no e-mail preferences; use a person's token")
    return principal.user_id


def _prefs_out(prefs: notifications.Preferences) -> NotificationPrefsOut:
    return NotificationPrefsOut(
        severities=[Severity(s) for s in prefs.email],
        sms_severities=[Severity(s) for s in prefs.sms],
        phone=prefs.phone, language=prefs.language if prefs.language in ("fr", "en") else None,
        sms_active=prefs.sms_active,
    )  # fmt: skip


@router.get("/me/notifications", response_model=NotificationPrefsOut)
def get_notifications(principal: PrincipalDep, session: SessionDep) -> NotificationPrefsOut:
    """What reaches you, by e-mail and SMS, with your roles' defaults where you chose nothing."""
    principal.require_scope(Scope.read)
    prefs = notifications.get_preferences(session=session, user_id=_user_id(principal))
    return _prefs_out(prefs)


@router.put("/me/notifications", response_model=NotificationPrefsOut)
def put_notifications(
    body: NotificationPrefs, principal: PrincipalDep, session: SessionDep, now: NowDep
) -> NotificationPrefsOut:
    """Choose what reaches you: severities by e-mail and by SMS, phone number, language.
    A field left out keeps its value; an empty list: nothing by that channel."""
    # A change needs a token that may write: a read-only token handed to a dashboard must
    # not switch its owner's alerts off. People without write rights use the page.
    principal.require_scope(Scope.write)
    given = body.model_fields_set
    prefs = notifications.set_preferences(
        session=session, user_id=_user_id(principal), by=principal.actor, now=now,
        email=[s.value for s in body.severities] if "severities" in given else None,
        sms=[s.value for s in body.sms_severities] if "sms_severities" in given else None,
        phone=body.phone if "phone" in given else notifications.UNCHANGED,
        language=body.language if "language" in given else notifications.UNCHANGED,
    )  # fmt: skip
    return _prefs_out(prefs)
