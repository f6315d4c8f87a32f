"""Mailers: SMTP against a real aiosmtpd server on loopback, and the in-memory one."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tocsin.mailer import Mailer, MailerError, MemoryMailer, SMTPMailer


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Recorder:
    def __init__(self) -> None:
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted"


def check_login(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    valid = isinstance(data, LoginPassword) and (data.login, data.password) == (b"tocsin", b"s3cr")
    return AuthResult(success=valid, handled=False)


@pytest.fixture
def smtp_server() -> Iterator[tuple[Recorder, int]]:
    recorder = Recorder()
    port = free_port()
    controller = Controller(
        recorder,
        hostname="127.0.0.1",
        port=port,
        authenticator=check_login,
        auth_require_tls=False,
    )
    controller.start()
    yield recorder, port
    controller.stop()


def alert_message() -> EmailMessage:
    message = EmailMessage()
    message["From"] = "tocsin@cert-sante.example"
    message["To"] = "rssi@chu-exemple.example"
    message["Subject"] = "[TLP:AMBER] Rançongiciel : VPN compromis"
    message.set_content("Une alerte vous concerne. Accusez réception dans l'heure.")
    return message


async def test_smtp_mailer_delivers_to_a_real_server(smtp_server: tuple[Recorder, int]) -> None:
    recorder, port = smtp_server
    await SMTPMailer(host="127.0.0.1", port=port).send(alert_message())
    [envelope] = recorder.envelopes
    assert envelope.mail_from == "tocsin@cert-sante.example"
    assert envelope.rcpt_tos == ["rssi@chu-exemple.example"]
    received = message_from_bytes(envelope.content, policy=policy.default)
    assert isinstance(received, EmailMessage)
    assert received["Subject"] == "[TLP:AMBER] Rançongiciel : VPN compromis"
    assert "Accusez réception dans l'heure." in received.get_content()


async def test_smtp_mailer_logs_in_with_its_credentials(smtp_server: tuple[Recorder, int]) -> None:
    recorder, port = smtp_server
    mailer = SMTPMailer(host="127.0.0.1", port=port, username="tocsin", password="s3cr")
    await mailer.send(alert_message())
    assert len(recorder.envelopes) == 1


async def test_smtp_mailer_reports_refused_credentials(smtp_server: tuple[Recorder, int]) -> None:
    recorder, port = smtp_server
    mailer = SMTPMailer(host="127.0.0.1", port=port, username="tocsin", password="wrong")
    with pytest.raises(MailerError):
        await mailer.send(alert_message())
    assert recorder.envelopes == []


async def test_smtp_mailer_reports_an_unreachable_server() -> None:
    with pytest.raises(MailerError, match=r"127\.0\.0\.1"):
        await SMTPMailer(host="127.0.0.1", port=free_port(), timeout=2).send(alert_message())


async def test_memory_mailer_keeps_what_it_sent() -> None:
    mailer: Mailer = MemoryMailer()
    message = alert_message()
    await mailer.send(message)
    assert isinstance(mailer, MemoryMailer)
    assert mailer.sent == [message]
