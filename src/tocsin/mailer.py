"""Outgoing e-mail behind a small interface: SMTP in production, a list in memory otherwise."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Protocol

import aiosmtplib

from tocsin.settings import Settings


class MailerError(Exception):
    """The message could not be handed to the mail server (it may be retried)."""


class Mailer(Protocol):
    async def send(self, message: EmailMessage) -> None:
        """Hand one message over for delivery; raises `MailerError` on failure."""
        ...


class SMTPMailer:
    """Sends through one SMTP server (settings `TOCSIN_SMTP_*`), one connection per message."""

    def __init__(
        self,
        *,
        host: str,
        port: int = 25,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        timeout: float = 10.0,
    ) -> None:
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.starttls = starttls
        self.timeout = timeout

    async def send(self, message: EmailMessage) -> None:
        try:
            await aiosmtplib.send(
                message,
                hostname=self.host,
                port=self.port,
                username=self.username,
                password=self.password,
                start_tls=self.starttls,
                timeout=self.timeout,
            )
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise MailerError(f"SMTP {self.host}:{self.port} refused or failed: {exc}") from exc


class MemoryMailer:
    """Keeps sent messages in `sent`; for development and tests."""

    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []

    async def send(self, message: EmailMessage) -> None:
        self.sent.append(message)


def mailer_from(settings: Settings) -> Mailer:
    """SMTP when `TOCSIN_SMTP_HOST` is set; otherwise mail stays in memory (development)."""
    if settings.smtp_host:
        password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
        return SMTPMailer(
            host=settings.smtp_host, port=settings.smtp_port, username=settings.smtp_username,
            password=password, starttls=settings.smtp_starttls,
        )  # fmt: skip
    return MemoryMailer()
