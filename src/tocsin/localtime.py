"""Moments as people read them: in the hub's time zone and the reader's language. Pure.

Storage and the API speak UTC (ISO 8601, aware); pages, e-mails, SMS and documents show
the hub's local time (`TOCSIN_TIME_ZONE`, Europe/Paris by default), never bare UTC.
"""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_datetime


@functools.cache
def zone(name: str) -> ZoneInfo:
    """The IANA zone of that name; ValueError when there is none."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r} (an IANA name, e.g. Europe/Paris)") from exc


def local(moment: datetime, zone_name: str) -> datetime:
    """The same moment on the hub's clock."""
    if moment.tzinfo is None:
        raise ValueError("a naive time has no place on the hub: times are timezone-aware")
    return moment.astimezone(zone(zone_name))


def moment_text(moment: datetime, *, zone_name: str, language: str, with_zone: bool = False) -> str:
    """`27 nov. 2026 15:05` (fr) or `27 Nov 2026 15:05` (en), in the hub's time zone; with
    its offset (`+0100`) where the text may be read elsewhere (a mail, a document)."""
    pattern = "d MMM y HH:mm z" if with_zone else "d MMM y HH:mm"
    return format_datetime(
        moment, pattern, tzinfo=zone(zone_name), locale="fr" if language == "fr" else "en"
    )


def duration_text(span: timedelta, language: str) -> str:
    """`2 h 05 min`, `35 min`, `3 j 4 h` (fr) / `3 d 4 h` (en): a countdown's words."""
    minutes = max(0, int(span.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    day = "j" if language == "fr" else "d"
    if days:
        return f"{days} {day} {hours} h"
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min"
