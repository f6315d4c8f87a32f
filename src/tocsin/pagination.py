"""Opaque keyset cursors: a page ends on (sort key, id); the next starts strictly after it."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import datetime
from typing import Any

from tocsin.errors import InvalidInput


def encode_cursor(key: datetime | int | str, row_id: uuid.UUID) -> str:
    value: Any = key.isoformat() if isinstance(key, datetime) else key
    raw = json.dumps([value, str(row_id)], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, *, as_datetime: bool = False) -> tuple[Any, uuid.UUID]:
    """Read a cursor back; a tampered or foreign one is a 422 on the `cursor` field."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key, row_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
        parsed_key = datetime.fromisoformat(key) if as_datetime else key
        if as_datetime and parsed_key.tzinfo is None:  # a crafted one: never a naive time
            raise ValueError("a cursor's time carries its zone")
        return parsed_key, uuid.UUID(row_id)
    except (ValueError, TypeError, json.JSONDecodeError) as exc:
        raise InvalidInput.one("cursor", "not a cursor returned by this API") from exc
