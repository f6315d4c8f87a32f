"""Checkpoints leave the hub: to syslog in RFC 5424 and to the national CERT by e-mail,
both real (a UDP socket, an SMTP server); and a production node refuses to start without
its audit key."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from email import message_from_bytes
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from pydantic import ValidationError

from tests.alerts.factory import publish
from tocsin.audit import anchor
from tocsin.audit.service import keyring_of
from tocsin.mailer import SMTPMailer
from tocsin.settings import Settings
from tocsin.state import AppState
from tocsin.trail.anchoring import checkpoint

RFC5424 = re.compile(
    r"^<(?P<pri>\d+)>1 (?P<time>\S+) (?P<host>\S+) tocsin - audit-checkpoint "
    r"\[checkpoint@32473 seq=\"(?P<seq>\d+)\" digest=\"(?P<digest>[0-9a-f]{64})\" "
    r"at=\"[^\"]+\" key_id=\"[0-9a-f]{16}\" mac=\"[0-9a-f]{64}\"\] audit trail up to record \d+$"
)


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.fixture
def syslog() -> Iterator[socket.socket]:
    receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    receiver.bind(("127.0.0.1", 0))
    receiver.settimeout(5)
    yield receiver
    receiver.close()


def test_a_checkpoint_goes_to_the_file_to_syslog_and_to_the_national_cert(
    client, world, state: AppState, smtp: tuple[Inbox, int], syslog: socket.socket
) -> None:
    inbox, port = smtp
    host, udp_port = syslog.getsockname()
    state.settings = state.settings.model_copy(update={"audit_syslog": f"{host}:{udp_port}"})
    state.mailer = SMTPMailer(host="127.0.0.1", port=port)
    publish(client, world, "E1")
    point = checkpoint(state)
    assert point is not None

    written, bad = anchor.read_file(
        state.settings.effective_audit_checkpoint_file, keyring_of(state.settings)
    )
    assert bad == [] and written == [point]

    datagram = syslog.recv(4096).decode()
    match = RFC5424.match(datagram)
    assert match, datagram
    assert int(match["pri"]) == 10 * 8 + 4  # authpriv.warning
    assert (int(match["seq"]), match["digest"]) == (point.seq, point.digest)

    assert len(inbox.messages) == 1
    recipients, content = inbox.messages[0]
    assert recipients == ["so_n@test.example.org"]  # the national CERT's security officer
    mail = message_from_bytes(content)
    assert mail["Subject"] == f"[tocsin] Audit checkpoint: record {point.seq}"
    body = mail.get_payload(decode=True)
    assert isinstance(body, bytes) and point.line() in body.decode()


def test_production_refuses_to_start_without_an_audit_key() -> None:
    secret = "a real secret of production, long enough"
    with pytest.raises(ValidationError, match="TOCSIN_AUDIT_KEY must be set"):
        Settings(environment="production", secret_key=secret)
    with pytest.raises(ValidationError, match="TOCSIN_AUDIT_KEY must be set"):
        Settings(environment="production", secret_key=secret, audit_key="short")
    with pytest.raises(ValidationError, match="must differ from TOCSIN_SECRET_KEY"):
        Settings(environment="production", secret_key=secret, audit_key=secret)
    Settings(environment="production", secret_key=secret, audit_key="k" * 32)
