"""STIX/TAXII timestamps as integers of microseconds since the epoch, and back (pure)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_STAMP = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z$")


def to_us(moment: datetime) -> int:
    delta = moment.astimezone(UTC) - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def parse_us(text: str) -> int:
    """A STIX timestamp (`2026-01-01T08:00:00.123Z`) in microseconds; ValueError otherwise."""
    found = _STAMP.match(text) if isinstance(text, str) else None
    if found is None:
        raise ValueError(f"not a STIX timestamp: {text!r}")
    whole = datetime.fromisoformat(found.group(1)).replace(tzinfo=UTC)
    fraction = (found.group(2) or "").ljust(6, "0")[:6]
    return to_us(whole) + int(fraction)


def format_us(us: int) -> str:
    """Microseconds as a TAXII timestamp with microsecond precision."""
    seconds, micros = divmod(us, 1_000_000)
    whole = datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{whole}.{micros:06d}Z"
