"""STIX 2.1 cyber-observable objects read as context indicators.

Producers such as MISP's exporter write what they saw but do not ask to detect (MISP's
`to_ids: false`) as observables, often under an observed-data: tocsin keeps them as context
indicators (shown, searched, correlated, never in a blocklist). A file stays whole: its
hashes identify it and its name rides along in the comment.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from tocsin.alerts.schemas import IndicatorIn
from tocsin.exchange.loose_values import received
from tocsin.indicators.types import IndicatorType

HASH_TYPES = frozenset({IndicatorType.MD5, IndicatorType.SHA1, IndicatorType.SHA256})
# STIX 2.1 cyber-observable objects (section 6): no created, no modified.
OBSERVABLES = frozenset({
    "artifact", "autonomous-system", "directory", "domain-name", "email-addr", "email-message",
    "file", "ipv4-addr", "ipv6-addr", "mac-addr", "mutex", "network-traffic", "process",
    "software", "url", "user-account", "windows-registry-key", "x509-certificate",
})  # fmt: skip


def is_observable(kind: str, obj: dict[str, Any]) -> bool:
    """A cyber-observable: a known SCO type, or a custom one written as an SCO (no created)."""
    return kind in OBSERVABLES or (kind.startswith("x-") and "created" not in obj)


_VALUE_OBSERVABLES = {
    "ipv4-addr": IndicatorType.IPV4, "ipv6-addr": IndicatorType.IPV6,
    "domain-name": IndicatorType.DOMAIN, "url": IndicatorType.URL,
    "email-addr": IndicatorType.EMAIL,
}  # fmt: skip
_HASH_NAMES = {"MD5": IndicatorType.MD5, "SHA-1": IndicatorType.SHA1, "SHA1": IndicatorType.SHA1,
               "SHA-256": IndicatorType.SHA256, "SHA256": IndicatorType.SHA256}  # fmt: skip


def _observed_values(obj: dict[str, Any]) -> list[tuple[IndicatorType, str]]:
    """What an observable identifies: its value, or a file's hashes (else its name)."""
    kind, value = obj["type"], obj.get("value")
    if kind in _VALUE_OBSERVABLES and isinstance(value, str):
        typed = _VALUE_OBSERVABLES[kind]
        if "/" in value and kind != "url":
            typed = IndicatorType.CIDR
        return [(typed, value)]
    if kind != "file":
        return []
    hashes = obj.get("hashes")
    if not isinstance(hashes, dict):
        hashes = {}
    found = [(_HASH_NAMES[k], str(h)) for k, h in hashes.items() if k in _HASH_NAMES]
    name = obj.get("name")
    return found or ([(IndicatorType.FILENAME, name)] if isinstance(name, str) else [])


def context_rows(obj: dict[str, Any]) -> list[IndicatorIn]:
    """An observable is context: seen, not a pattern to block on."""
    rows = []
    name = obj.get("name") if obj["type"] == "file" else None
    for kind, raw in _observed_values(obj):
        note = f"file name: {name}" if name and kind in HASH_TYPES else None
        value, comment = received(kind, raw, note)
        row = {"type": kind.value, "value": value, "comment": comment, "context": True}
        try:
            rows.append(IndicatorIn.model_validate(row))
        except ValidationError as exc:
            raise ValueError(exc.errors()[0]["msg"].removeprefix("Value error, ")) from None
    return rows
