"""Which addresses a webhook may reach: public ones only, however they are spelled (pure).

An IPv6 address can carry an IPv4 one (mapped `::ffff:a.b.c.d`, compatible `::a.b.c.d`,
NAT64 `64:ff9b::/96`, 6to4 `2002::/16`, Teredo, SIIT); the gateway or the host's stack
then reaches the IPv4 address. `ipaddress` calls several of these forms global even when
they carry 127.0.0.1, so the carried address is checked as well.
"""

from __future__ import annotations

import ipaddress

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")  # RFC 8215: never global
_COMPATIBLE = ipaddress.ip_network("::/96")
_TRANSLATED = ipaddress.ip_network("::ffff:0:0:0/96")  # SIIT, RFC 2765


def _low_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address:
    return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)


def carried_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address leads to through a transition mechanism."""
    carried: list[ipaddress.IPv4Address] = []
    if ip.ipv4_mapped is not None:
        carried.append(ip.ipv4_mapped)
    if ip.sixtofour is not None:
        carried.append(ip.sixtofour)
    if ip.teredo is not None:
        carried.extend(ip.teredo)
    if ip in _NAT64 or ip in _COMPATIBLE or ip in _TRANSLATED:
        carried.append(_low_ipv4(ip))
    return carried


def _plainly_public(ip: IPAddress) -> bool:
    return ip.is_global and not ip.is_multicast


def is_public(address: str) -> bool:
    """True when the address, and any address it carries, is a public unicast one."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv4Address):
        return _plainly_public(ip)
    if ip in _NAT64_LOCAL:
        return False
    return _plainly_public(ip) and all(_plainly_public(v4) for v4 in carried_ipv4(ip))


def first_refused(addresses: list[str]) -> str | None:
    """The first address a webhook may not reach, or None when all are public."""
    return next((a for a in addresses if not is_public(a)), None)
