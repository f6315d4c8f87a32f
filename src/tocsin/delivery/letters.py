"""E-mails to people: one shape (a letter), rendered as multipart text + HTML from Jinja
templates, in the reader's language, with the headers a mail client and an auto-responder
need (`Date`, `Message-ID`, `Auto-Submitted`). Pure: the caller gives the moment and the
addresses; nothing here reads a clock or sends.

A TLP:RED alert's letter says nothing of its content, not even in the Subject: only that
an alert concerns the reader, and the link to its page.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape

from tocsin.delivery.letter_words import language_of, word
from tocsin.indicators.normalize import defang
from tocsin.indicators.types import IndicatorError, IndicatorType
from tocsin.localtime import moment_text
from tocsin.marking import shown_title
from tocsin.sharing.tlp import TLP, TLP_COLOURS

TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class Letter:
    """What one person reads: a subject, a few paragraphs, labelled facts, lists, a link."""

    language: str
    subject: str
    link: str
    link_label: str
    paragraphs: list[str] = field(default_factory=list)
    facts: list[tuple[str, str]] = field(default_factory=list)
    sections: list[tuple[str, list[str], bool]] = field(default_factory=list)  # mono or not
    marking: str | None = None  # "TLP:AMBER", shown on top of the HTML part
    colour: str = "#FFFFFF"


@dataclass(frozen=True)
class Envelope:
    """Who sends to whom, when, under which id."""

    to: str
    sender: str
    message_id: str  # without the angle brackets: "<event>@<host>"
    date: datetime


@functools.cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
        trim_blocks=True, lstrip_blocks=True,
    )  # fmt: skip


def message_id(event_id: str, public_url: str) -> str:
    """A globally unique Message-ID: the event id at the hub's host name."""
    host = urlsplit(public_url).hostname or "tocsin.invalid"
    return f"{event_id}@{host}"


def compose(letter: Letter, envelope: Envelope) -> EmailMessage:
    """The message: text part first, HTML alternative, automatic-message headers."""
    values: dict[str, Any] = {"letter": letter, "automatic": word(letter.language, "automatic")}
    message = EmailMessage()
    message["Subject"] = letter.subject
    message["From"] = envelope.sender
    message["To"] = envelope.to
    message["Date"] = format_datetime(envelope.date)
    message["Message-ID"] = f"<{envelope.message_id}>"
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-reply loops
    message.set_content(_environment().get_template("letter.txt").render(values))
    message.add_alternative(
        _environment().get_template("letter.html").render(values), subtype="html"
    )
    message["Content-Language"] = letter.language  # after the parts: they take content-*
    return message


@dataclass(frozen=True)
class Reader:
    """Where and how the reader reads: language, the hub's zone, the hub's address."""

    language: str
    zone: str
    public_url: str

    def when(self, iso: str | None) -> str | None:
        if not iso:
            return None
        moment = datetime.fromisoformat(iso)
        return moment_text(moment, zone_name=self.zone, language=self.language, with_zone=True)

    def link(self, path: str) -> str:
        return f"{self.public_url.rstrip('/')}{path}"


def _defanged(indicator: dict[str, Any], language: str) -> str:
    try:
        value = defang(str(indicator["value"]), IndicatorType(indicator["type"]))
    except (IndicatorError, ValueError, KeyError):
        value = word(language, "withheld")
    return f"{indicator.get('type', '?')}: {value}"


def alert_subject(alert: dict[str, Any], action: str, language: str) -> str:
    """`[TLP:AMBER] [CRITIQUE] Mise à jour : <title>`; a RED alert's subject is neutral."""
    tlp, exercise = TLP(alert["tlp"]), bool(alert.get("exercise"))
    if not tlp.in_email_body:
        neutral = word(language, "red.subject")
        return f"[{tlp.label}] {shown_title(neutral, exercise=exercise, language=language)}"
    level = word(language, alert["severity"]).upper()
    title = shown_title(alert["title"], exercise=exercise, language=language)
    return f"[{tlp.label}] [{level}] {word(language, f'verb.{action}')}{title}"


def _alert_facts(alert: dict[str, Any], reader: Reader) -> list[tuple[str, str]]:
    lang = reader.language
    facts: list[tuple[str, str | None]] = [
        (word(lang, "affected"), (alert.get("affected") or {}).get("name")),
        (word(lang, "source"), (alert.get("source") or {}).get("name")),
        (word(lang, "severity"), word(lang, alert["severity"])),
        (word(lang, "category"), word(lang, alert["category"])),
        (word(lang, "published"), reader.when(alert.get("published_at"))),
        (word(lang, "first_seen"), reader.when(alert.get("first_seen"))),
        (word(lang, "handling"), alert.get("handling")),
        (word(lang, "retracted"), alert.get("retract_reason")),
    ]
    return [(label, value) for label, value in facts if value]


def alert_letter(alert: dict[str, Any], action: str, reader: Reader) -> Letter:
    """The letter of one alert revision; TLP:RED: a link, never the content."""
    lang, tlp = reader.language, TLP(alert["tlp"])
    letter = Letter(
        language=lang, subject=alert_subject(alert, action, lang),
        link=reader.link(f"/alerts/{alert['id']}"), link_label=word(lang, "open_alert"),
        marking=tlp.label, colour=TLP_COLOURS[tlp],
    )  # fmt: skip
    if not tlp.in_email_body:
        level = word(lang, alert["severity"])
        said = word(lang, "red.text", tlp=tlp.label, severity=level)
        if alert.get("exercise"):
            said = shown_title(said, exercise=True, language=lang)
        return replace(letter, paragraphs=[said])
    sections: list[tuple[str, list[str], bool]] = []
    if indicators := alert.get("indicators"):
        sections.append((word(lang, "indicators"), [_defanged(i, lang) for i in indicators], True))
    if countermeasures := alert.get("countermeasures"):
        sections.append((word(lang, "countermeasures"), [c["action"] for c in countermeasures],
                         False))  # fmt: skip
    return replace(
        letter, paragraphs=[
            shown_title(alert["title"], exercise=bool(alert.get("exercise")), language=lang),
            alert["summary"],
        ],
        facts=_alert_facts(alert, reader), sections=sections,
    )  # fmt: skip


def _notice_subject(notice: dict[str, Any], language: str) -> str | None:
    """The notice's subject in the reader's language, when the notice says what it is."""
    title = notice.get("title")
    if title is None:
        return None
    if notice.get("kind") == "correlation":
        return word(language, "correlation", count=str(len(notice.get("related", []))),
                    title=title)  # fmt: skip
    event = notice.get("event")
    if notice.get("kind") == "declaration" and event and word(language, event) != event:
        separator = " : " if language == "fr" else ": "
        return f"{word(language, event)}{separator}{title}"
    return None


def notice_letter(notice: dict[str, Any], reader: Reader) -> Letter:
    """A notice (declaration, correlation): its subject and a link; the rest behind sign-in."""
    said = _notice_subject(notice, reader.language)
    return Letter(
        language=reader.language, subject=f"[tocsin] {said or notice['subject']}",
        link=reader.link(notice["link"]), link_label=word(reader.language, "open_notice"),
        paragraphs=[said, word(reader.language, "notice.text")] if said else [notice["text"]],
    )  # fmt: skip


def reader_language(wanted: str | None, fallback: str) -> str:
    return language_of(wanted, fallback)
