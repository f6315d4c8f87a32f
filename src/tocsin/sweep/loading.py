"""Load indicators from a plain list, CSV `type,value`, a STIX 2.1 bundle or a MISP event.

Values are normalised by `tocsin.indicators`, so they compare equal to the hub's. Common shapes
(plain ASCII domains, IPv4 addresses, hex digests) take a fast path that gives the same result
without the general detector, so a million indicators load in seconds.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import re
import socket
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tocsin.indicators.normalize import normalize, normalize_any, public_suffix
from tocsin.indicators.types import IndicatorError
from tocsin.sweep.matcher import IndicatorSet, Key
from tocsin.sweep.records import HASH_TYPE_BY_LENGTH

_PLAIN_NAME = re.compile(r"[a-z0-9_-]{1,63}(?:\.[a-z0-9_-]{1,63})+")
_HEX = re.compile(r"[0-9a-f]+")
_STIX_TERM = re.compile(r"([a-z0-9-]+):([\w.'-]+)\s*=\s*'((?:[^'\\]|\\.)*)'")
_STIX_PATHS = {
    "domain-name:value": "domain",
    "url:value": "url",
    "email-addr:value": "email",
    "file:name": "filename",
    "file:hashes.md5": "md5",
    "file:hashes.'md5'": "md5",
    "file:hashes.'sha-1'": "sha1",
    "file:hashes.sha1": "sha1",
    "file:hashes.'sha-256'": "sha256",
    "file:hashes.sha256": "sha256",
}
_MISP_TYPES = {
    "domain": "domain",
    "hostname": "domain",
    "ip-dst": "ip",
    "ip-src": "ip",
    "url": "url",
    "link": "url",
    "md5": "md5",
    "sha1": "sha1",
    "sha256": "sha256",
    "email": "email",
    "email-src": "email",
    "email-dst": "email",
    "filename": "filename",
}


@dataclass(frozen=True)
class HubRef:
    """Where a hub indicator comes from, to report its sightings."""

    indicator_id: str
    alert_id: str | None


@dataclass
class Loaded:
    """The matcher's indicator set, hub references per value, and the values refused."""

    indicators: IndicatorSet = field(default_factory=IndicatorSet)
    refs: dict[Key, list[HubRef]] = field(default_factory=dict)
    rejected: list[tuple[str, str]] = field(default_factory=list)
    excluded: dict[str, int] = field(default_factory=dict)  # warninglist -> values held back

    def add(self, kind: str | None, value: str, ref: HubRef | None = None) -> None:
        """Normalise and add one value (kind None: detect it); refusals are kept with reasons."""
        try:
            key = classify(value) if kind is None else typed(kind, value)
        except IndicatorError as exc:
            if len(self.rejected) < 1000:
                self.rejected.append((value[:200], str(exc)))
            return
        self.indicators.add(*key)
        if ref is not None:
            self.refs.setdefault(key, []).append(ref)


@functools.lru_cache(maxsize=4096)
def _known_tld(label: str) -> bool:
    return bool(public_suffix("example." + label))


def _fast(value: str) -> Key | None:
    """Canonical (type, value) for common shapes, as normalize_any would give, else None."""
    if "/" in value:
        return _fast_cidr(value)
    lowered = value.lower()
    if len(lowered) in HASH_TYPE_BY_LENGTH and _HEX.fullmatch(lowered):
        return HASH_TYPE_BY_LENGTH[len(lowered)], lowered
    name = lowered[:-1] if lowered.endswith(".") else lowered
    if _PLAIN_NAME.fullmatch(name) is None or len(name) > 253:
        return None
    tld = name[name.rfind(".") + 1 :]
    if tld.isdigit():
        try:
            socket.inet_pton(socket.AF_INET, value)
        except OSError:
            return None
        return "ipv4", value
    if "xn--" not in name and _known_tld(tld):
        return "domain", name
    return None


def classify(value: str) -> Key:
    """Detect and normalise a bare value (defanged accepted); raise IndicatorError."""
    value = value.strip()
    found = _fast(value)
    if found is not None:
        return found
    kind, normal = normalize_any(value)
    return kind.value, normal


def typed(kind: str, value: str) -> Key:
    """Normalise a value of a stated type; 'ip' means IPv4, IPv6 or CIDR by shape."""
    kind = kind.strip().lower()
    if kind == "ip":
        kind = "cidr" if "/" in value else ("ipv6" if ":" in value else "ipv4")
    found = _fast(value.strip())
    if found is not None and found[0] == kind:
        return found
    return kind, normalize(kind, value)


def load_text(text: str, loaded: Loaded | None = None) -> Loaded:
    """Load a file's content, recognising STIX, MISP, CSV `type,value` or a plain list."""
    loaded = loaded or Loaded()
    stripped = text.lstrip()
    if stripped.startswith("{"):
        document = json.loads(stripped)
        if document.get("type") == "bundle":
            _load_stix(document, loaded)
        else:
            _load_misp(document.get("Event", document), loaded)
        return loaded
    lines = text.splitlines()
    first = next((line for line in lines if line.strip() and not line.startswith("#")), "")
    if first.replace(" ", "").lower().startswith("type,value"):
        for row in csv.DictReader(io.StringIO(text)):
            loaded.add(row.get("type") or "", row.get("value") or "")
        return loaded
    _load_plain(text, loaded)
    return loaded


def _load_plain(text: str, loaded: Loaded) -> None:
    """Load a plain list; digests, plain names and IPv4 inline, anything else through `add`."""
    indicators = loaded.indicators
    hashes, domains, ips = indicators.hashes, indicators.domains, indicators.ips
    hex_match, name_match, by_length = _HEX.fullmatch, _PLAIN_NAME.fullmatch, HASH_TYPE_BY_LENGTH
    for line in text.splitlines():
        value = line.strip()
        if not value or value[0] == "#":
            continue
        lowered = value.lower()
        size = len(lowered)
        if size in by_length and hex_match(lowered):
            hashes[lowered] = by_length[size]
            continue
        if size <= 253 and name_match(lowered) and "xn--" not in lowered:
            tld = lowered[lowered.rfind(".") + 1 :]
            if not tld.isdigit():
                if _known_tld(tld):
                    domains.add(lowered)
                    continue
            elif _is_ipv4(value):
                ips.add(value)
                continue
        loaded.add(None, value)
    indicators.hash_bytes.update(digest.encode("ascii") for digest in hashes)
    indicators.domain_bytes.update(domain.encode("ascii") for domain in domains)


def _is_ipv4(value: str) -> bool:
    try:
        socket.inet_pton(socket.AF_INET, value)
    except OSError:
        return False
    return True


def _fast_cidr(value: str) -> Key | None:
    """An IPv4 network in canonical form (host bits cleared), as normalize("cidr") gives."""
    address, _, length = value.partition("/")
    if not (length.isdigit() and length.isascii() and int(length) <= 32 and _is_ipv4(address)):
        return None
    if length != str(int(length)):
        return None
    bits = int(length)
    number = int.from_bytes(socket.inet_pton(socket.AF_INET, address), "big")
    number &= ~((1 << (32 - bits)) - 1) & 0xFFFFFFFF
    return "cidr", f"{socket.inet_ntop(socket.AF_INET, number.to_bytes(4, 'big'))}/{bits}"


def _stix_terms(pattern: str) -> Iterator[Key]:
    for obj, path, raw in _STIX_TERM.findall(pattern):
        value = raw.replace("\\'", "'").replace("\\\\", "\\")
        key = f"{obj}:{path}".lower()
        if obj in ("ipv4-addr", "ipv6-addr") and path == "value":
            yield "ip", value
        elif key in _STIX_PATHS:
            yield _STIX_PATHS[key], value


def _still_valid(until: Any, now: datetime) -> bool:
    if not until:
        return True
    try:
        moment = datetime.fromisoformat(str(until).replace("Z", "+00:00"))
    except ValueError:
        return True
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)) > now


def _load_stix(bundle: dict[str, Any], loaded: Loaded) -> None:
    now = datetime.now(UTC)
    for obj in bundle.get("objects", []):
        if obj.get("type") == "indicator" and obj.get("pattern_type", "stix") == "stix":
            if _still_valid(obj.get("valid_until"), now):
                for kind, value in _stix_terms(obj.get("pattern", "")):
                    loaded.add(kind, value)
        elif obj.get("type") in ("domain-name", "ipv4-addr", "ipv6-addr", "url", "email-addr"):
            kind = {"domain-name": "domain", "url": "url", "email-addr": "email"}.get(
                obj["type"], "ip"
            )
            loaded.add(kind, str(obj.get("value", "")))


def _misp_attributes(event: dict[str, Any]) -> Iterable[dict[str, Any]]:
    yield from event.get("Attribute", [])
    for obj in event.get("Object", []):
        yield from obj.get("Attribute", [])


def _load_misp(event: dict[str, Any], loaded: Loaded) -> None:
    for attribute in _misp_attributes(event):
        kinds = str(attribute.get("type", "")).split("|")
        values = str(attribute.get("value", "")).split("|")
        for kind, value in zip(kinds, values, strict=False):
            if kind in _MISP_TYPES:
                loaded.add(_MISP_TYPES[kind], value)
