"""A real SMTP server (aiosmtpd) on loopback that keeps what it receives, for e-mail tests."""

from __future__ import annotations

import email
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import Message
from email.policy import default as default_policy
from typing import Any

from aiosmtpd.controller import Controller

from tests.delivery.receivers import free_port
from tocsin.mailer import SMTPMailer


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=default_policy)
        self.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 accepted"

    def to(self, address: str) -> list[Message]:
        return [m for rcpt, m in self.messages if address in rcpt]


@contextmanager
def smtp_server() -> Iterator[tuple[Inbox, SMTPMailer]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, SMTPMailer(host="127.0.0.1", port=port)
    finally:
        controller.stop()


def text_of(message: Message) -> str:
    body = message.get_body(("plain",))  # type: ignore[attr-defined]
    return str(body.get_content())


def html_of(message: Message) -> str:
    body = message.get_body(("html",))  # type: ignore[attr-defined]
    return str(body.get_content())
