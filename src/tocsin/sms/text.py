"""What an SMS says, short and in the reader's language. Pure.

A message carries the severity, the TLP, the establishment hit (when the reader may know
it), the title and a link; a TLP:RED alert carries nothing but a call to open tocsin. The
text fits the parts the gateway may concatenate (UCS-2: 70 characters alone, 67 per part):
the title gives way first, at a word boundary; the link is never cut.
"""

from __future__ import annotations

from dataclasses import dataclass

from tocsin.marking import EXERCISE

SINGLE, PART = 70, 67
ELLIPSIS = "…"

SEVERITY = {
    "fr": {"critical": "CRITIQUE", "high": "ÉLEVÉE", "medium": "MOYENNE", "low": "FAIBLE",
           "info": "INFO"},
    "en": {"critical": "CRITICAL", "high": "HIGH", "medium": "MEDIUM", "low": "LOW",
           "info": "INFO"},
}  # fmt: skip
RED = {
    "fr": "tocsin : alerte TLP:RED pour vous, ouvrez tocsin :",
    "en": "tocsin: TLP:RED alert for you, open tocsin:",
}
SILENT = {
    "fr": "{org} n'a pas accusé réception d'une alerte {severity}.",
    "en": "{org} has not acknowledged a {severity} alert.",
}


def units(text: str) -> int:
    """UCS-2 code units: a character outside the basic plane (an emoji) takes two."""
    return len(text.encode("utf-16-be")) // 2


def capacity(max_parts: int) -> int:
    return SINGLE if max_parts <= 1 else PART * max_parts


def shorten(text: str, room: int) -> str:
    """At most `room` units, cut at a word boundary with an ellipsis; '' if nothing fits."""
    if units(text) <= room:
        return text
    if room <= units(ELLIPSIS):
        return ""
    cut = text
    while cut and units(cut) + units(ELLIPSIS) > room:
        cut = cut[:-1]
    if " " not in cut.strip():
        return ""  # not even one whole word fits: better nothing than half a word
    return cut.rsplit(" ", 1)[0].rstrip(" ,;:·-") + ELLIPSIS


@dataclass(frozen=True)
class AlertText:
    """What an alert SMS may say to one reader."""

    language: str
    severity: str
    tlp: str  # "red", "amber+strict", ...
    title: str
    link: str
    affected: str | None = None  # None: none named, or anonymous to this reader
    exercise: bool = False


def _lang(language: str) -> str:
    return "fr" if language == "fr" else "en"


def alert_sms(alert: AlertText, max_parts: int) -> str:
    """The SMS of an alert, within `max_parts` concatenated parts."""
    lang = _lang(alert.language)
    mark = f"{EXERCISE[lang]} · " if alert.exercise else ""
    if alert.tlp == "red":
        return f"{mark}{RED[lang]} {alert.link}"
    head = [f"{mark}tocsin", SEVERITY[lang].get(alert.severity, alert.severity.upper()),
            f"TLP:{alert.tlp.upper()}"]  # fmt: skip
    if alert.affected:
        head.append(alert.affected)
    said = " · ".join(head)
    room = capacity(max_parts) - units(said) - units(" · ") - units(f" {alert.link}")
    title = shorten(alert.title, room)
    return f"{said} · {title} {alert.link}" if title else f"{said} {alert.link}"


def silence_sms(
    *, language: str, organisation: str, severity: str, link: str, max_parts: int,
    exercise: bool = False,
) -> str:  # fmt: skip
    """The SMS that tells a director (then the relays) an organisation stays silent."""
    lang = _lang(language)
    mark = f"{EXERCISE[lang]} · " if exercise else ""
    level = SEVERITY[lang].get(severity, severity).lower()
    room = capacity(max_parts) - units(mark) - units(f" {link}")
    said = SILENT[lang].format(org=organisation, severity=level)
    return f"{mark}{shorten(said, room)} {link}"
