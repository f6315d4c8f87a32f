"""The words of an automatic publication, in the hub's language. Pure.

When no relay qualifies a declaration in time, its pre-approved part goes out in the name
of the relay: a title naming the kind of incident and, unless the declarant asked
anonymity, the establishment; the declarant's own summary when they chose to share it;
and a note saying that nobody reviewed it and what was shared.
"""

from __future__ import annotations

from collections.abc import Iterable

from tocsin.delivery.letter_words import language_of, word
from tocsin.relay.vocab import SharePart

TEXT = {
    "fr": {
        "title": "Incident ({kind}) déclaré par {where}",
        "someone": "un établissement du réseau",
        "note": "Aucun relais n'a qualifié cette déclaration avant son échéance : sa partie "
                "partageable a été publiée automatiquement. Parties partagées, approuvées par "
                "le déclarant : {parts}.",
        "none": "aucune",
        SharePart.indicators: "indicateurs", SharePart.malware_family: "famille du logiciel "
        "malveillant", SharePart.initial_access: "accès initial",
        SharePart.countermeasures: "contre-mesures", SharePart.attack_steps: "étapes de "
        "l'attaque", SharePart.care_impact: "impact sur les soins",
        SharePart.summary: "résumé du déclarant",
    },
    "en": {
        "title": "Incident ({kind}) declared by {where}",
        "someone": "an establishment of the network",
        "note": "No relay qualified this declaration before its deadline: its shareable part "
                "was published automatically. Parts shared, as approved by the declarant: "
                "{parts}.",
        "none": "none",
        SharePart.indicators: "indicators", SharePart.malware_family: "malware family",
        SharePart.initial_access: "initial access", SharePart.countermeasures: "countermeasures",
        SharePart.attack_steps: "attack steps", SharePart.care_impact: "impact on care",
        SharePart.summary: "the declarant's summary",
    },
}  # fmt: skip


def auto_title(*, kind: str, where: str | None, language: str) -> str:
    """`Incident (rançongiciel) déclaré par CH de Bellefontaine`; no name when anonymous."""
    words = TEXT[language_of(language)]
    return words["title"].format(kind=word(language, kind), where=where or words["someone"])


def auto_summary(*, declared: str | None, parts: Iterable[SharePart], language: str) -> str:
    """The declarant's summary when shared, then the note of what was shared and why."""
    words = TEXT[language_of(language)]
    chosen = list(parts)
    listed = ", ".join(words[p] for p in chosen) or words["none"]
    note = words["note"].format(parts=listed)
    shared = declared.strip() if declared and SharePart.summary in chosen else ""
    return f"{shared}\n\n{note}" if shared else note
