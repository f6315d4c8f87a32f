"""MITRE ATT&CK technique identifiers."""

from __future__ import annotations

import re

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
