"""What a log reader extracts from one line: typed fields, never the raw text for matching."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

# A hex digest's length tells its type; sha256sum, sha1sum and md5sum output all look alike.
HASH_TYPE_BY_LENGTH = {32: "md5", 40: "sha1", 64: "sha256"}
_HEX = frozenset("0123456789abcdef")


@dataclass(slots=True)
class Record:
    """The typed fields of one log line; `when` is kept raw and parsed only for a hit."""

    when: str | None = None
    client: str | None = None
    domains: list[str] = field(default_factory=list)
    ips: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    hashes: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)


def hash_type(digest: str) -> str | None:
    """Return md5, sha1 or sha256 for a lowercase hex digest of that length, else None."""
    kind = HASH_TYPE_BY_LENGTH.get(len(digest))
    if kind is None or not _HEX.issuperset(digest):
        return None
    return kind


def epoch_time(raw: str) -> datetime | None:
    """Parse seconds since the epoch (squid, zeek), or None."""
    try:
        return datetime.fromtimestamp(float(raw), tz=UTC)
    except (ValueError, OverflowError, OSError):
        return None


def iso_time(raw: str) -> datetime | None:
    """Parse an ISO 8601 time; a naive one is taken as UTC."""
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def strptime_utc(raw: str, pattern: str) -> datetime | None:
    """Parse with a strptime pattern; a naive result is taken as UTC."""
    try:
        moment = datetime.strptime(raw, pattern)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def host_of_url(url: str) -> str:
    """Return the host of an absolute URL or of a scheme-less host[:port][/path], lowercased."""
    rest = url.partition("://")[2] if "://" in url else url
    for stop in "/?#":
        rest = rest.partition(stop)[0]
    rest = rest.rpartition("@")[2]
    if rest.startswith("["):
        return rest[: rest.find("]") + 1].lower()
    return rest.partition(":")[0].lower()
