"""Index keys of indicators and their default lifetimes (pure, no I/O).

Correlation never stores pairs of alerts: it looks values up in indexes. Exact values use
the existing index on `alert_indicators.value`; this module derives the two other keys:
- the registered parent domain of domains, URL hosts and e-mail domains;
- an address range for IPs and CIDR networks, as two 16-byte big-endian keys of the IPv6
  form (IPv4 mapped into ::ffff:0:0/96): both databases compare binary values byte by
  byte, so `BETWEEN` and `<=` compare them like numbers with an ordinary index, and a
  16-byte key weighs half the 32 hex digits it replaced.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from tocsin.indicators.normalize import registered_domain
from tocsin.indicators.types import IndicatorType

KEY_BYTES = 16
_V4_MAPPED = 0xFFFF << 32

# Why these: addresses are reassigned within weeks, domains and URLs live for months,
# a file hash, a CVE or a file name is the same thing forever.
LIFETIMES: dict[IndicatorType, timedelta | None] = {
    IndicatorType.IPV4: timedelta(days=30),
    IndicatorType.IPV6: timedelta(days=30),
    IndicatorType.CIDR: timedelta(days=30),
    IndicatorType.DOMAIN: timedelta(days=90),
    IndicatorType.URL: timedelta(days=90),
    IndicatorType.EMAIL: timedelta(days=90),
    IndicatorType.MD5: None,
    IndicatorType.SHA1: None,
    IndicatorType.SHA256: None,
    IndicatorType.FILENAME: None,
    IndicatorType.CVE: None,
}


def default_valid_until(type: IndicatorType | str, published_at: datetime) -> datetime | None:
    """Until when an indicator of this type stays useful by default (None: forever)."""
    lifetime = LIFETIMES.get(IndicatorType(type))
    return None if lifetime is None else published_at + lifetime


@dataclass(frozen=True)
class IndexKey:
    """The derived keys of one indicator; None where a key does not apply."""

    domain: str | None = None
    ip_start: bytes | None = None
    ip_end: bytes | None = None  # set for networks only: single addresses have start only
    prefix: int | None = None  # networks only, in the IPv6 space (an IPv4 /24 is 120)

    @property
    def empty(self) -> bool:
        return self.domain is None and self.ip_start is None


def address_number(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> int:
    """The address as an integer in the IPv6 space (IPv4 mapped into ::ffff:0:0/96)."""
    if address.version == 4:
        return _V4_MAPPED | int(address)
    return int(address)


def as_key(number: int) -> bytes:
    """An address number as its comparable key: 16 bytes, most significant first."""
    return number.to_bytes(KEY_BYTES, "big")


def network_range(value: str) -> tuple[bytes, bytes]:
    """First and last address of a normalised CIDR network, as comparable keys."""
    network = ipaddress.ip_network(value, strict=False)
    first = address_number(network.network_address)
    last = address_number(network.broadcast_address)
    return as_key(first), as_key(last)


def host_of(type: IndicatorType, value: str) -> str | None:
    """The domain an indicator names, if any (URL host, e-mail domain, the domain itself)."""
    if type is IndicatorType.DOMAIN:
        return value
    if type is IndicatorType.URL:
        host = urlsplit(value).hostname
        return host if host and not _is_address(host) else None
    if type is IndicatorType.EMAIL:
        return value.rpartition("@")[2] or None
    return None


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def index_key(type: IndicatorType | str, value: str) -> IndexKey:
    """The derived keys of a normalised indicator value."""
    kind = IndicatorType(type)
    if kind in (IndicatorType.IPV4, IndicatorType.IPV6):
        return IndexKey(ip_start=as_key(address_number(ipaddress.ip_address(value))))
    if kind is IndicatorType.CIDR:
        start, end = network_range(value)
        return IndexKey(ip_start=start, ip_end=end, prefix=prefix_length(start, end))
    host = host_of(kind, value)
    return IndexKey(domain=registered_domain(host)) if host else IndexKey()


def prefix_length(ip_start: bytes, ip_end: bytes) -> int:
    """The prefix length (IPv6 space) of a network given by its first and last addresses."""
    size = int.from_bytes(ip_end, "big") - int.from_bytes(ip_start, "big") + 1
    return 128 - (size.bit_length() - 1)
