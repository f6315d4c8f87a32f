"""FINESS numbers (Fichier national des établissements sanitaires et sociaux), pure.

Nine characters: a two-character department code (digits, or 2A/2B for Corsica)
followed by seven digits.
"""

from __future__ import annotations

import re

_FINESS = re.compile(r"^(?:\d{2}|2A|2B)\d{7}$")


def validate_finess(value: str) -> str:
    """Return the FINESS number in canonical form, or raise ValueError saying why."""
    candidate = value.strip().upper()
    if len(candidate) != 9:
        raise ValueError(f"a FINESS number has 9 characters, got {len(candidate)}")
    if not _FINESS.match(candidate):
        raise ValueError("a FINESS number is 9 digits, or 2A/2B followed by 7 digits")
    return candidate
