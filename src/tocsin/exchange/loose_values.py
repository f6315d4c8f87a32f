"""Indicator values as real peers write them, made into what tocsin stores (pure).

MISP events and STIX patterns from the field carry URLs without a scheme (onion services
above all) and Windows paths where a file name is expected (`%TEMP%\\~Update.lnk`). Both
are genuine indicators: a URL's scheme is inferred (http), and a path gives its last
component as the file name, the whole path kept in the indicator's comment.
"""

from __future__ import annotations

import re

from tocsin.indicators.normalize import refang
from tocsin.indicators.types import IndicatorType

_SEPARATORS = re.compile(r"[\\/]")
_MAX_COMMENT = 2000


def _with_note(comment: str | None, note: str) -> str:
    text = f"{comment}\n{note}" if comment else note
    return text[:_MAX_COMMENT]


def received(kind: IndicatorType, value: str, comment: str | None) -> tuple[str, str | None]:
    """The value to normalise and the comment to store for a value a peer sent."""
    if kind is IndicatorType.URL and "://" not in refang(value):
        return "http://" + value.strip(), comment
    if kind is IndicatorType.FILENAME and _SEPARATORS.search(value):
        name = _SEPARATORS.split(value.strip())[-1]
        return name, _with_note(comment, f"path: {value.strip()}")
    return value, comment
