"""Helpers for delivery tests: reading the outbox, registering endpoints and preferences."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from tocsin.db import transaction
from tocsin.delivery.models import Channel, Delivery, NotificationPreference
from tocsin.network.models import User
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


def nobody_notified(state: AppState) -> None:
    """Every user of the world chooses no e-mail and no SMS, so that a test hears only from
    the people it opts in (directors and security officers otherwise get the defaults)."""
    with transaction(state.sessions) as session:
        for user_id in session.scalars(select(User.id)):
            if session.get(NotificationPreference, user_id) is None:
                session.add(
                    NotificationPreference(
                        user_id=user_id,
                        severities=[],
                        sms_severities=[],
                        updated_at=state.clock.now(),
                    )
                )


def choose_email_on_the_page(state: AppState, world: Any, who: str, severities: list[str]) -> None:
    """A viewer (read-only rights) chooses on the page, which stores the choice as the API
    would; the API itself wants a token that may write."""
    with transaction(state.sessions) as session:
        pref = session.get(NotificationPreference, world.users[who])
        if pref is None:
            pref = NotificationPreference(
                user_id=world.users[who], sms_severities=[], updated_at=state.clock.now()
            )
            session.add(pref)
        pref.severities = severities
