"""Obligations a declaration triggers besides itself, pure (no I/O): the summary of the
regulatory export. The clocks themselves, step by step, are `tocsin.obligations.clocks`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tocsin.alerts.vocab import Category
from tocsin.relay.vocab import Nature

CNIL_DELAY = timedelta(hours=72)  # GDPR art. 33(1)
NIS2_EARLY_WARNING = timedelta(hours=24)  # Directive (EU) 2022/2555 art. 23(4)(a)


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
    nis2: str,
    nature: Nature,
    kind: Category | None,
    aware_at: datetime,
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
                aware_at + CNIL_DELAY,
            )
        )
    if nis2 in ("essential", "important"):
        found.append(
            Obligation(
                "anssi",
                "ANSSI",
                "Send the early warning within 24 hours, the notification within 72 hours",
                f"the establishment is an {nis2} entity (NIS2 art. 23)",
                aware_at + NIS2_EARLY_WARNING,
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
