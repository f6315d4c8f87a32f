"""Webhook signatures per the Standard Webhooks scheme (HMAC-SHA256, `v1,` signatures).

The signed content is `{webhook-id}.{webhook-timestamp}.{body}`; the secret is `whsec_`
followed by the base64 of the key. A receiver accepts a message when any of the
space-separated signatures matches one of its keys and the timestamp is recent, which lets
an endpoint rotate its secret without losing messages.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from collections.abc import Mapping

SECRET_PREFIX = "whsec_"  # noqa: S105 - a format marker, not a secret
SECRET_BYTES = 32
SIGNATURE_VERSION = "v1"
DEFAULT_TOLERANCE_SECONDS = 300


class SignatureError(Exception):
    """A webhook message whose signature headers do not prove it came from the sender."""


def new_secret() -> str:
    """A fresh signing secret, `whsec_` + base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def _key(secret: str) -> bytes:
    encoded = secret.removeprefix(SECRET_PREFIX)
    try:
        key = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SignatureError("the secret is not base64 after its whsec_ prefix") from exc
    if not key:
        raise SignatureError("the secret is empty")
    return key


def _signature(key: bytes, msg_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return f"{SIGNATURE_VERSION},{base64.b64encode(digest).decode('ascii')}"


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The three Standard Webhooks headers for one message."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": _signature(_key(secret), msg_id, timestamp, body),
    }


def _header(headers: Mapping[str, str], name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    raise SignatureError(f"the {name} header is missing")


def verify(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    now: int,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
) -> None:
    """Raise `SignatureError` unless one signature matches and the timestamp is within tolerance."""
    msg_id = _header(headers, "webhook-id")
    raw_timestamp = _header(headers, "webhook-timestamp")
    try:
        timestamp = int(raw_timestamp)
    except ValueError as exc:
        raise SignatureError("the webhook-timestamp header is not an integer") from exc
    if timestamp < now - tolerance:
        raise SignatureError("the message timestamp is too old")
    if timestamp > now + tolerance:
        raise SignatureError("the message timestamp is too far in the future")
    expected = _signature(_key(secret), msg_id, timestamp, body).encode("ascii")
    for candidate in _header(headers, "webhook-signature").split(" "):
        if hmac.compare_digest(candidate.encode("ascii", "replace"), expected):
            return
    raise SignatureError("no signature matches")
