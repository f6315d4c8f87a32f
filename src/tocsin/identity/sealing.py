"""Secrets that must be read back (TOTP seeds, a provider's client secret), sealed with a key
derived from `TOCSIN_SECRET_KEY` (AES-256-GCM): a copy of the database alone reveals none.

Changing the secret key makes them unreadable: TOTP enrolments must then be redone (the
recovery codes and passkeys, hashed or public, still work) and sealed client secrets set again.
"""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

VERSION = "v1."


class Unsealable(Exception):
    """The sealed value was made with another key, or altered."""


def _key(secret_key: str, purpose: str) -> bytes:
    derive = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=f"tocsin seal {purpose}".encode()
    )
    return derive.derive(secret_key.encode())


def seal(*, secret_key: str, purpose: str, plaintext: str) -> str:
    """`plaintext` encrypted and authenticated, bound to its purpose."""
    nonce = os.urandom(12)
    sealed = AESGCM(_key(secret_key, purpose)).encrypt(nonce, plaintext.encode(), None)
    return VERSION + base64.urlsafe_b64encode(nonce + sealed).decode()


def unseal(*, secret_key: str, purpose: str, sealed: str) -> str:
    """The plaintext of `seal`; Unsealable when the key or the purpose differ."""
    if not sealed.startswith(VERSION):
        raise Unsealable("unknown sealing version")
    raw = base64.urlsafe_b64decode(sealed[len(VERSION) :])
    try:
        return AESGCM(_key(secret_key, purpose)).decrypt(raw[:12], raw[12:], None).decode()
    except (InvalidTag, ValueError) as exc:
        raise Unsealable("sealed with another key") from exc
