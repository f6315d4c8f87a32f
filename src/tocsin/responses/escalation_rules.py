"""Who is told when a recipient stays silent, and what they are told. Pure: no I/O.

Stage 1 (director): the silent organisation's own director. Stage 2 (relays): the
directors and security officers of the organisations above it, as the network decides
(`Network.escalation_relays`: its group and region, or the national CERT for an
organisation with neither). A TLP:RED title never leaves in a message.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage

from tocsin.alerts.marking import exercise_word
from tocsin.network.models import Role
from tocsin.responses.deadlines import Obligation, Stage
from tocsin.sharing.rules import Network
from tocsin.sharing.tlp import TLP


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


def email(silence: Silence, to: list[str], sender: str, public_url: str) -> EmailMessage:
    """The message to the people told."""
    message = EmailMessage()
    message["Subject"] = (
        f"[{silence.tlp.label}] {_mark(silence)}{silence.organisation} has not "
        f"{_missed(silence)} an alert: {_title(silence)}"
    )
    message["To"] = ", ".join(to)
    message["From"] = sender
    message.set_content(
        f"{silence.organisation} has not {_missed(silence)} the {silence.severity} alert "
        f'"{_title(silence)}" by its deadline ({silence.due_at.isoformat()}).\n\n'
        f"Open it: {public_url.rstrip('/')}/api/v1/alerts/{silence.alert_id}\n"
    )
    return message


def subject(silence: Silence) -> str:
    """The one-line subject of the live notice."""
    title = _title(silence, "(TLP:RED: title withheld)")
    return f"{_mark(silence)}{silence.organisation} has not {_missed(silence)} an alert: {title}"


def text(silence: Silence) -> str:
    when = silence.due_at.isoformat()
    return f"{_mark(silence)}{silence.organisation} missed its deadline ({when})."
