"""Helpers for delivery tests: reading the outbox, registering endpoints and preferences."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from tocsin.db import transaction
from tocsin.delivery.models import Channel, Delivery
from tocsin.state import AppState


def deliveries(state: AppState, channel: Channel | None = None) -> list[Delivery]:
    with transaction(state.sessions) as session:
        query = select(Delivery).order_by(Delivery.seq)
        if channel is not None:
            query = query.where(Delivery.channel == channel)
        return list(session.scalars(query))


def register_webhook(client: Any, world: Any, who: str, url: str) -> dict[str, Any]:
    answer = client.post("/api/v1/webhooks", json={"url": url}, headers=world.auth(who))
    assert answer.status_code == 201, answer.text
    result: dict[str, Any] = answer.json()
    return result


def want_email(client: Any, world: Any, who: str, severities: list[str]) -> None:
    answer = client.put(
        "/api/v1/me/notifications", json={"severities": severities}, headers=world.auth(who)
    )
    assert answer.status_code == 200, answer.text
