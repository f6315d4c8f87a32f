"""Keyed chaining of audit records, pure: each digest is an HMAC-SHA256, under a key kept
outside the database, of the record and the digest before it. Someone who can write to the
database but does not hold the key can neither edit a record nor recompute the digests
after it. Records chained before keys existed (`LEGACY`, plain SHA-256) may only open the
chain: the first keyed record covers the last of them, which seals them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64
LEGACY = "sha256"  # the key id of records chained with plain SHA-256, before keys


def key_id(key: bytes) -> str:
    """A short name for a key that reveals nothing of it (kept on each record)."""
    return hmac.new(key, b"tocsin audit key id", hashlib.sha256).hexdigest()[:16]


@dataclass(frozen=True)
class Keyring:
    """The key that signs new records, and the earlier ones that still verify old records."""

    current: bytes
    previous: tuple[bytes, ...] = ()

    @property
    def current_id(self) -> str:
        return key_id(self.current)

    def by_id(self) -> dict[str, bytes]:
        return {key_id(k): k for k in (*self.previous, self.current)}


def canonical(fields: Mapping[str, Any]) -> bytes:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str).encode()


def record_digest(prev_digest: str, fields: Mapping[str, Any], key: bytes | None = None) -> str:
    """HMAC-SHA256 under `key` (plain SHA-256 for a legacy record, `key` None) over the
    previous digest and the canonical JSON of the record's fields."""
    message = prev_digest.encode() + b"\n" + canonical(fields)
    if key is None:
        return hashlib.sha256(message).hexdigest()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    reason: str


@dataclass(frozen=True)
class Link:
    """One stored record as the chain sees it."""

    seq: int
    prev_digest: str
    digest: str
    key_id: str
    fields: Mapping[str, Any]


def _link_error(link: Link, keys: Mapping[str, bytes], keyed_seen: bool) -> str | None:
    if link.key_id == LEGACY:
        if keyed_seen:
            return "unkeyed record after keyed ones: the chain was rewritten without the key"
        key = None
    elif link.key_id not in keys:
        return f"signed with key {link.key_id}, which is not in the keyring"
    else:
        key = keys[link.key_id]
    if not hmac.compare_digest(record_digest(link.prev_digest, link.fields, key), link.digest):
        return "digest does not match the content: record edited"
    return None


def verify_chain(links: Iterable[Link], keyring: Keyring) -> list[ChainBreak]:
    """Check the records in order; list every break found."""
    keys = keyring.by_id()
    breaks: list[ChainBreak] = []
    expected_prev, keyed_seen = GENESIS, False
    for link in links:
        if link.prev_digest != expected_prev:
            breaks.append(
                ChainBreak(link.seq, "previous digest does not match: a record was removed")
            )
        error = _link_error(link, keys, keyed_seen)
        if error:
            breaks.append(ChainBreak(link.seq, error))
        keyed_seen = keyed_seen or link.key_id != LEGACY
        expected_prev = link.digest
    return breaks
