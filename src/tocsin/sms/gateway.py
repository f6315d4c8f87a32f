"""Sending one SMS: the gateway interface, Kannel's sendsms, and an in-memory gateway.

Kannel (`smsbox`) answers `202 Accepted` with `0: Accepted for delivery` or `3: Queued for
later delivery` when it took the message, and an HTTP error with its reason otherwise; a
message it took is its responsibility (it retries the operator's SMSC itself).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import httpx

from tocsin.settings import Settings


class SmsError(Exception):
    """The gateway did not take the message (it may be retried)."""


class SmsGateway(Protocol):
    async def send(self, *, to: str, text: str) -> None:
        """Hand one message (E.164 number, UTF-8 text) to the gateway; SmsError on failure."""
        ...


@dataclass
class MemorySmsGateway:
    """Keeps what was sent in `sent`, (number, text); for development and unit tests."""

    sent: list[tuple[str, str]] = field(default_factory=list)

    async def send(self, *, to: str, text: str) -> None:
        self.sent.append((to, text))


@dataclass
class KannelGateway:
    """Kannel's sendsms interface (`TOCSIN_SMS_URL`, e.g. http://sms:13013/cgi-bin/sendsms).

    The text goes as UCS-2 (`coding=2`, `charset=UTF-8`): French accents survive, at 70
    characters per message, 67 per part once Kannel concatenates."""

    url: str
    username: str
    password: str
    sender: str = "tocsin"  # Kannel refuses a message without a sender unless configured
    timeout: float = 10.0

    async def send(self, *, to: str, text: str) -> None:
        params = {"username": self.username, "password": self.password, "to": to,
                  "from": self.sender, "text": text, "charset": "UTF-8", "coding": "2"}  # fmt: skip
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                answer = await client.get(self.url, params=params)
        except httpx.HTTPError as exc:
            raise SmsError(f"SMS gateway unreachable: {type(exc).__name__}: {exc}") from exc
        if answer.status_code not in (200, 202):
            raise SmsError(f"SMS gateway refused ({answer.status_code}): {answer.text.strip()}")


def gateway_from(settings: Settings) -> SmsGateway:
    """Kannel when `TOCSIN_SMS_URL` is set; otherwise messages stay in memory (development)."""
    if settings.sms_url:
        password = settings.sms_password.get_secret_value() if settings.sms_password else ""
        return KannelGateway(url=settings.sms_url, username=settings.sms_username or "",
                             password=password, sender=settings.sms_from or "tocsin")  # fmt: skip
    return MemorySmsGateway()
