"""The matcher: typed, field-aware rules over sets of normalised indicator values.

Domains match themselves and their subdomains only (a walk over the candidate's label suffixes,
one set lookup each); IPs match exactly or by CIDR (networks bucketed by prefix length, one
integer lookup per length); URLs match after normalisation; hashes and e-mail addresses exactly.
"""

from __future__ import annotations

import ipaddress
import socket
from collections import defaultdict
from collections.abc import Iterable

from tocsin.indicators.normalize import normalize
from tocsin.indicators.types import IndicatorError
from tocsin.sweep.records import Record, host_of_url

Key = tuple[str, str]  # (indicator type, normalised value)
_IP_START = frozenset(bytes([c]) for c in b"0123456789[:")


def domain_suffixes(host: str) -> Iterable[str]:
    """Yield host and each parent obtained by dropping leading labels (a.b.c, b.c, c)."""
    yield host
    start = host.find(".")
    while start >= 0:
        yield host[start + 1 :]
        start = host.find(".", start + 1)


class IndicatorSet:
    """Normalised indicator values, grouped by how they are matched."""

    def __init__(self) -> None:
        self.domains: set[str] = set()
        self.domain_bytes: set[bytes] = set()
        self.url_host_bytes: set[bytes] = set()
        self.ips: set[str] = set()
        self.networks: dict[tuple[int, int], dict[int, str]] = defaultdict(dict)
        self.urls: set[str] = set()
        self.url_hosts: set[str] = set()
        self.hashes: dict[str, str] = {}
        self.hash_bytes: set[bytes] = set()
        self.emails: set[str] = set()
        self.other: set[Key] = set()

    def add(self, kind: str, value: str) -> None:
        """Add one already-normalised indicator."""
        if kind == "domain":
            self.domains.add(value)
            self.domain_bytes.add(value.encode("ascii"))
        elif kind in ("ipv4", "ipv6"):
            self.ips.add(value)
        elif kind == "cidr":
            network = ipaddress.ip_network(value, strict=False)
            bits = network.max_prefixlen
            bucket = self.networks[(network.version, network.prefixlen)]
            bucket[int(network.network_address) >> (bits - network.prefixlen)] = value
        elif kind == "url":
            self.urls.add(value)
            self.url_hosts.add(_url_host(value))
            self.url_host_bytes.add(_url_host(value).encode("ascii", "replace"))
        elif kind in ("md5", "sha1", "sha256"):
            self.hashes[value] = kind
            self.hash_bytes.add(value.encode("ascii"))
        elif kind == "email":
            self.emails.add(value)
        else:
            self.other.add((kind, value))

    def __len__(self) -> int:
        cidrs = sum(len(bucket) for bucket in self.networks.values())
        sizes = (self.domains, self.ips, self.urls, self.hashes, self.emails, self.other)
        return cidrs + sum(len(group) for group in sizes)

    # -- candidate checks -------------------------------------------------------------------

    def domain_hits(self, host: str) -> list[Key]:
        """Return the domain indicators that host is, or is a subdomain of."""
        found = self.domains
        return [("domain", suffix) for suffix in domain_suffixes(host) if suffix in found]

    def ip_hits(self, address: str) -> list[Key]:
        """Return the IP and CIDR indicators that contain address."""
        parsed = parse_ip(address)
        if parsed is None:
            return []
        version, number, text = parsed
        hits: list[Key] = [(f"ipv{version}", text)] if text in self.ips else []
        bits = 32 if version == 4 else 128
        for (net_version, length), bucket in self.networks.items():
            if net_version == version:
                network = bucket.get(number >> (bits - length))
                if network is not None:
                    hits.append(("cidr", network))
        return hits

    def host_is_candidate(self, host: bytes) -> bool:
        """Tell whether a lowercased host field (domain or IP) could hit; the fast path's test."""
        host = host.rstrip(b".")
        if host in self.url_host_bytes:
            return True
        if not host.translate(None, b"0123456789."):  # an IPv4 address: no name to walk
            return bool(self.ips or self.networks) and bool(self.ip_hits(host.decode()))
        domains = self.domain_bytes
        if host in domains:
            return True
        dot = host.find(b".")
        while dot >= 0:
            if host[dot + 1 :] in domains:
                return True
            dot = host.find(b".", dot + 1)
        if (self.ips or self.networks) and host[:1] in _IP_START:
            return bool(self.ip_hits(host.decode("ascii", "replace").strip("[]")))
        return False

    # -- whole records ----------------------------------------------------------------------

    def match(self, record: Record) -> list[Key]:
        """Return every indicator the record's fields match, each once."""
        hits: list[Key] = []
        for host in record.domains:
            hits += self.domain_hits(_ascii_host(host))
        for address in record.ips:
            hits += self.ip_hits(address)
        if self.urls:
            for url in record.urls:
                normal = _normal_url(url) if _url_host(url) in self.url_hosts else None
                if normal in self.urls:
                    hits.append(("url", normal))
        for digest in record.hashes:
            kind = self.hashes.get(digest)
            if kind:
                hits.append((kind, digest))
        for email in record.emails:
            if email in self.emails:
                hits.append(("email", email))
            hits += self.domain_hits(email.rpartition("@")[2])
        return list(dict.fromkeys(hits))


def parse_ip(address: str) -> tuple[int, int, str] | None:
    """Return (version, integer, canonical text) of a literal IP address, or None.

    inet_pton is strict (no leading zeros, no short forms), so an accepted IPv4 text is canonical.
    """
    try:
        packed = socket.inet_pton(socket.AF_INET, address)
        return 4, int.from_bytes(packed, "big"), address
    except OSError:
        pass
    if ":" not in address:
        return None
    try:
        parsed = ipaddress.IPv6Address(address)
    except ValueError:
        return None
    return 6, int(parsed), parsed.compressed


def _ascii_host(host: str) -> str:
    if host.isascii():
        return host
    try:
        return normalize("domain", host)
    except IndicatorError:
        return host


def _url_host(url: str) -> str:
    return host_of_url(url).strip("[]")


def _normal_url(url: str) -> str | None:
    try:
        return normalize("url", url)
    except IndicatorError:
        return None
