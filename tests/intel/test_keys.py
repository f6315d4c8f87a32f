"""The derived index keys and default lifetimes (pure)."""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from tocsin.indicators.types import IndicatorType as T
from tocsin.intel.keys import (
    default_valid_until,
    index_key,
    prefix_length,
)

NOW = datetime(2026, 11, 1, tzinfo=UTC)


def test_ipv4_is_mapped_into_the_ipv6_space_as_16_bytes() -> None:
    key = index_key(T.IPV4, "192.0.2.1")
    assert key.ip_start == bytes.fromhex("00000000000000000000ffffc0000201")
    assert key.ip_end is None and key.domain is None


def test_a_network_gets_its_first_and_last_address() -> None:
    key = index_key(T.CIDR, "192.0.2.0/24")
    assert (key.ip_start, key.ip_end) == (
        bytes.fromhex("00000000000000000000ffffc0000200"),
        bytes.fromhex("00000000000000000000ffffc00002ff"),
    )
    assert prefix_length(key.ip_start, key.ip_end) == 120  # /24 in the IPv6 space


def test_domains_urls_and_emails_are_keyed_by_registered_domain() -> None:
    assert index_key(T.DOMAIN, "a.b.evil.co.uk").domain == "evil.co.uk"
    assert index_key(T.URL, "https://x.evil.com/p?q=1").domain == "evil.com"
    assert index_key(T.EMAIL, "ops@mail.evil.com").domain == "evil.com"
    assert index_key(T.URL, "http://192.0.2.1/x").empty
    assert index_key(T.SHA256, "a" * 64).empty


def test_default_lifetimes_by_type() -> None:
    assert default_valid_until(T.IPV4, NOW) == NOW + timedelta(days=30)
    assert default_valid_until(T.CIDR, NOW) == NOW + timedelta(days=30)
    assert default_valid_until(T.DOMAIN, NOW) == NOW + timedelta(days=90)
    assert default_valid_until("url", NOW) == NOW + timedelta(days=90)
    assert default_valid_until(T.SHA256, NOW) is None
    assert default_valid_until(T.MD5, NOW) is None


addresses = st.one_of(
    st.integers(0, 2**32 - 1).map(lambda n: (ipaddress.IPv4Address(n), 32)),
    st.integers(0, 2**128 - 1).map(lambda n: (ipaddress.IPv6Address(n), 128)),
)


@given(addresses, st.integers(0, 128))
def test_an_address_sorts_between_the_bounds_of_any_network_holding_it(
    address: tuple[ipaddress.IPv4Address | ipaddress.IPv6Address, int], raw_length: int
) -> None:
    ip, bits = address
    length = raw_length % (bits + 1)
    network = ipaddress.ip_network(f"{ip}/{length}", strict=False)
    kind = T.IPV4 if bits == 32 else T.IPV6
    ip_key = index_key(kind, str(ip))
    net_key = index_key(T.CIDR, str(network))
    assert ip_key.ip_start is not None and net_key.ip_start and net_key.ip_end
    # byte order is numeric order: what BETWEEN relies on in both databases
    assert net_key.ip_start <= ip_key.ip_start <= net_key.ip_end
    assert prefix_length(net_key.ip_start, net_key.ip_end) == length + 128 - bits


@given(addresses, st.integers(0, 128), st.lists(st.integers(0, 2**128 - 1), max_size=20))
def test_the_network_holding_an_address_is_the_last_of_its_length_starting_before_it(
    address: tuple[ipaddress.IPv4Address | ipaddress.IPv6Address, int],
    raw_length: int,
    others: list[int],
) -> None:
    # What correlation relies on: networks of one length never overlap, so the last one
    # starting at or before an address is the only one that may hold it.
    ip, bits = address
    length = raw_length % (bits + 1)
    holder = ipaddress.ip_network(f"{ip}/{length}", strict=False)
    kind = T.IPV4 if bits == 32 else T.IPV6
    address_key = index_key(kind, str(ip)).ip_start
    assert address_key is not None
    networks = {index_key(T.CIDR, str(holder))}
    for number in others:
        other = (
            ipaddress.IPv6Address(number) if bits == 128 else ipaddress.IPv4Address(number % 2**32)
        )
        networks.add(
            index_key(T.CIDR, str(ipaddress.ip_network(f"{other}/{length}", strict=False)))
        )
    starts = sorted(n.ip_start for n in networks if n.ip_start is not None)
    last = max(start for start in starts if start <= address_key)
    assert last == index_key(T.CIDR, str(holder)).ip_start
