"""The kinds of indicator tocsin knows and the error raised for a malformed one."""

from __future__ import annotations

import enum


class IndicatorType(enum.StrEnum):
    IPV4 = "ipv4"
    IPV6 = "ipv6"
    CIDR = "cidr"
    DOMAIN = "domain"
    URL = "url"
    EMAIL = "email"
    MD5 = "md5"
    SHA1 = "sha1"
    SHA256 = "sha256"
    FILENAME = "filename"
    CVE = "cve"


class IndicatorError(ValueError):
    """A value that is not a valid indicator; `reason` says what is wrong, for a human."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
