"""Hash chaining of audit records, pure: each digest covers the record and the one before."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64


def record_digest(prev_digest: str, fields: Mapping[str, Any]) -> str:
    """SHA-256 over the previous digest and the canonical JSON of the record's fields."""
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{prev_digest}\n{canonical}".encode()).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    reason: str


def verify_chain(records: Iterable[tuple[int, str, str, Mapping[str, Any]]]) -> list[ChainBreak]:
    """Check (seq, prev_digest, digest, fields) rows in order; list every break found."""
    breaks: list[ChainBreak] = []
    expected_prev = GENESIS
    for seq, prev_digest, digest, fields in records:
        if prev_digest != expected_prev:
            breaks.append(ChainBreak(seq, "previous digest does not match: a record was removed"))
        if record_digest(prev_digest, fields) != digest:
            breaks.append(ChainBreak(seq, "digest does not match the content: record edited"))
        expected_prev = digest
    return breaks
