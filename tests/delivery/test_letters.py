"""E-mails as people receive them, read back from a real SMTP server (aiosmtpd): in the
reader's language, linking to the alert's page, dated, marked automatic, text and HTML,
times on the hub's clock; a RED alert's Subject says nothing of the alert."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

import pytest
from tests.alerts.factory import publish
from tests.delivery.helpers import want_email
from tests.mailbox import Inbox, html_of, smtp_server, text_of

from tocsin.db import transaction
from tocsin.delivery.dispatch_email import drain_email_once
from tocsin.localtime import moment_text
from tocsin.mailer import SMTPMailer
from tocsin.network.models import User
from tocsin.publication.receipts import on_delivered
from tocsin.state import AppState

pytestmark = pytest.mark.usefixtures("quiet")  # only the people a test opts in


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, SMTPMailer]]:
    with smtp_server() as server:
        yield server


def speaks(state: AppState, user_id: uuid.UUID, language: str | None) -> None:
    with transaction(state.sessions) as session:
        user = session.get(User, user_id)
        assert user is not None
        user.language = language


async def test_an_alert_mail_is_french_by_default_dated_automatic_and_links_the_page(
    client: Any, world: Any, state: AppState, smtp: tuple[Inbox, SMTPMailer]
) -> None:
    inbox, mailer = smtp
    want_email(client, world, "so_E2", ["critical"])
    alert = publish(client, world, "E1", severity="critical", tlp="amber")
    assert await drain_email_once(state, mailer, on_delivered) == 1
    [(_, message)] = inbox.messages
    page = f"{state.settings.public_url}/alerts/{alert['id']}"
    text, html = text_of(message), html_of(message)
    assert message.get_content_type() == "multipart/alternative"
    assert str(message["Subject"]).startswith("[TLP:AMBER] [CRITIQUE] ")
    assert "Lire l'alerte et en accuser réception : " + page in text
    assert f'href="{page}"' in html and "/api/v1/" not in text + html
    assert parsedate_to_datetime(str(message["Date"])) == state.clock.now()
    assert message["Auto-Submitted"] == "auto-generated"
    assert str(message["Message-ID"]).endswith("@127.0.0.1>")
    published = datetime.fromisoformat(alert["published_at"])
    local = moment_text(published, zone_name="Europe/Paris", language="fr", with_zone=True)
    assert f"Publiée le : {local}" in text and "09:00" in local  # 08:00 UTC in winter


async def test_a_person_who_chose_english_reads_english(
    client: Any, world: Any, state: AppState, smtp: tuple[Inbox, SMTPMailer]
) -> None:
    inbox, mailer = smtp
    want_email(client, world, "so_E2", ["critical"])
    want_email(client, world, "so_E3", ["critical"])
    speaks(state, world.users["so_E3"], "en")
    publish(client, world, "E1", severity="critical", tlp="amber")
    assert await drain_email_once(state, mailer, on_delivered) == 2
    [french] = inbox.to("so_e2@test.example.org")
    [english] = inbox.to("so_e3@test.example.org")
    assert "[CRITIQUE]" in str(french["Subject"]) and french["Content-Language"] == "fr"
    assert "[CRITICAL]" in str(english["Subject"]) and english["Content-Language"] == "en"
    assert "Read it and acknowledge" in text_of(english)
    assert "Sévérité : critique" in text_of(french)


async def test_a_red_alert_subject_is_neutral(
    client: Any, world: Any, state: AppState, smtp: tuple[Inbox, SMTPMailer]
) -> None:
    inbox, mailer = smtp
    want_email(client, world, "so_E2", ["critical"])
    scope = {"kind": "explicit", "organisations": [str(world.ids["E2"])]}
    alert = publish(client, world, "E1", tlp="red", scope=scope, title="Rançongiciel chez Org E1")
    assert await drain_email_once(state, mailer, on_delivered) == 1
    [(_, message)] = inbox.messages
    assert str(message["Subject"]) == "[TLP:RED] Une alerte TLP:RED vous concerne"
    assert alert["title"] not in text_of(message) + html_of(message)
