"""Who is told when a recipient stays silent, and what they are told. Pure: no I/O.

Stage 1 (director): the silent organisation's own director. Stage 2 (relays): the
directors and security officers of the organisations above it, as the network decides
(`Network.escalation_relays`: its group and region, or the national CERT for an
organisation with neither). A TLP:RED title never leaves in a message. Each person gets
one digest per alert and round, in their language, with deadlines in the hub's zone.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from tocsin.delivery.letter_words import word
from tocsin.delivery.letters import Letter, Reader
from tocsin.marking import exercise_word, shown_title
from tocsin.network.models import Role
from tocsin.responses.deadlines import Obligation, Stage
from tocsin.sharing.rules import Network
from tocsin.sharing.tlp import TLP, TLP_COLOURS


@dataclass(frozen=True)
class Silence:
    """One missed obligation, as the messages speak of it."""

    alert_id: uuid.UUID
    title: str
    severity: str
    tlp: TLP
    organisation: str
    obligation: Obligation
    due_at: datetime
    exercise: bool = False


def told(stage: Stage, org_id: uuid.UUID, network: Network) -> list[uuid.UUID]:
    """The organisations told at this stage."""
    if stage is Stage.director:
        return [org_id]
    return sorted(network.escalation_relays(org_id))


def roles_told(stage: Stage) -> tuple[Role, ...]:
    """Whose mailbox in the organisations told: directors, and at stage 2 security officers."""
    return (Role.director,) if stage is Stage.director else (Role.director, Role.security_officer)


def _title(silence: Silence, withheld: str = "(TLP:RED: title withheld, see the link)") -> str:
    return silence.title if silence.tlp.in_email_body else withheld


def _mark(silence: Silence) -> str:
    """An exercise's escalation says so first, like everything else of an exercise."""
    return f"{exercise_word('en')} · " if silence.exercise else ""


def _missed(silence: Silence) -> str:
    return "acknowledged" if silence.obligation is Obligation.acknowledge else "updated"


def digest_letter(silences: list[Silence], reader: Reader) -> Letter:
    """One message to one person about one alert: every organisation silent on it that this
    person is told of in this round (a director of a region is not sent thirty messages)."""
    lang, first = reader.language, silences[0]
    title = first.title if first.tlp.in_email_body else word(lang, "red.title")
    title = shown_title(title, exercise=first.exercise, language=lang)
    if len(silences) == 1:
        missed = word(lang, f"missed.{first.obligation.value}")
        headline = word(
            lang, "digest.subject_one", org=first.organisation, missed=missed, title=title
        )
    else:
        headline = word(lang, "digest.subject", count=str(len(silences)), title=title)
    lines = [
        word(lang, "digest.line", org=s.organisation,
             missed=word(lang, f"line.{s.obligation.value}"),
             due=reader.when(s.due_at.isoformat()) or "")
        for s in sorted(silences, key=lambda s: (s.organisation, s.obligation.value))
    ]  # fmt: skip
    intro = word(lang, "digest.intro", severity=word(lang, first.severity), title=title)
    return Letter(
        language=lang, subject=f"[{first.tlp.label}] {headline}",
        link=reader.link(f"/alerts/{first.alert_id}"), link_label=word(lang, "open_alert"),
        paragraphs=[intro], sections=[("", lines, False)], marking=first.tlp.label,
        colour=TLP_COLOURS[first.tlp],
    )  # fmt: skip


def subject(silence: Silence) -> str:
    """The one-line subject of the live notice."""
    title = _title(silence, "(TLP:RED: title withheld)")
    return f"{_mark(silence)}{silence.organisation} has not {_missed(silence)} an alert: {title}"


def text(silence: Silence) -> str:
    when = silence.due_at.isoformat()
    return f"{_mark(silence)}{silence.organisation} missed its deadline ({when})."
