"""Obligations a declaration triggers besides itself, pure (no I/O)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tocsin.alerts.vocab import Category
from tocsin.relay.vocab import Nature

CNIL_DELAY = timedelta(hours=72)


@dataclass(frozen=True)
class Obligation:
    code: str
    authority: str
    action: str
    reason: str
    due_at: datetime | None = None


def obligations(
    *,
    personal_data: bool,
    essential_services_operator: bool,
    nature: Nature,
    kind: Category | None,
    discovered_at: datetime | None,
    declared_at: datetime,
) -> list[Obligation]:
    """What else the establishment must do, with why and, when the law sets one, by when."""
    found: list[Obligation] = [
        Obligation(
            "ars",
            "ARS / CERT Santé",
            "Declare the security incident without delay",
            "CSP L.1111-8-2 and décret 2016-1214",
        ),
    ]
    if personal_data:
        found.append(
            Obligation(
                "cnil",
                "CNIL",
                "Notify the personal data breach within 72 hours",
                "personal data are affected (GDPR art. 33)",
                (discovered_at or declared_at) + CNIL_DELAY,
            )
        )
    if essential_services_operator:
        found.append(
            Obligation(
                "anssi",
                "ANSSI",
                "Notify the incident without delay",
                "the establishment is an operator of essential services",
            )
        )
    if nature is Nature.malicious or (
        nature is Nature.unknown and kind in (Category.ransomware, Category.intrusion)
    ):
        found.append(
            Obligation(
                "complaint",
                "Police or gendarmerie",
                "File a complaint before reinstalling the affected systems",
                "the incident is or may be malicious; evidence must be kept",
            )
        )
    return found
