"""Passwords (argon2id) and API token secrets (SHA-256 digests). Nothing clear is stored."""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

TOKEN_PREFIX = "tcn_"  # noqa: S105 - a public prefix, not a secret
_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def new_token_secret() -> str:
    """A bearer secret: a recognisable prefix (for secret scanners) and 256 random bits."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(secret: str) -> str:
    """Tokens are long random strings, so a plain SHA-256 is enough and allows lookup."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_password() -> str:
    """A random password readable over the phone (used by the demo and first set-up)."""
    return "-".join(secrets.token_hex(3) for _ in range(4))
