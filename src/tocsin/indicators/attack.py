"""MITRE ATT&CK technique identifiers and ATT&CK's own names for them.

`attack_names.json` is generated from MITRE's published enterprise ATT&CK data by
`scripts/attack_names.py` (id -> [name, attack-pattern uuid]); rerun it to refresh.
"""

from __future__ import annotations

import functools
import json
import re
from importlib import resources

from tocsin.indicators.types import IndicatorError

_TECHNIQUE = re.compile(r"T(\d{4})(?:\.(\d{3}))?")


def validate_technique(value: str) -> str:
    """Return the canonical technique id (`T1234` or `T1234.001`) or raise IndicatorError."""
    candidate = value.strip().upper()
    if _TECHNIQUE.fullmatch(candidate) is None:
        raise IndicatorError("not a valid ATT&CK technique id (expected T1234 or T1234.001)")
    return candidate


def technique_url(tid: str) -> str:
    """Return the attack.mitre.org page of a technique or sub-technique."""
    match = _TECHNIQUE.fullmatch(validate_technique(tid))
    assert match is not None  # validate_technique guarantees the shape
    base, sub = match.groups()
    suffix = f"{sub}/" if sub else ""
    return f"https://attack.mitre.org/techniques/T{base}/{suffix}"


@functools.cache
def _table() -> dict[str, list[str]]:
    text = resources.files("tocsin.indicators").joinpath("attack_names.json").read_text()
    table: dict[str, list[str]] = json.loads(text)
    return table


def technique_name(tid: str) -> str | None:
    """ATT&CK's name of a technique or sub-technique (`T1110.001` -> Password Guessing)."""
    found = _table().get(tid.strip().upper())
    return found[0] if found else None


def technique_uuid(tid: str) -> str | None:
    """The uuid of the technique's ATT&CK attack-pattern, which MISP's clusters reuse."""
    found = _table().get(tid.strip().upper())
    return found[1] if found else None
