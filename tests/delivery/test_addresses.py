"""Public addresses only, in every spelling an IPv6 address can give an IPv4 one."""

from __future__ import annotations

import pytest

from tocsin.delivery.addresses import first_refused, is_public

REFUSED = [
    "127.0.0.1", "10.1.2.3", "192.168.0.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
    "224.0.0.1", "::1", "fe80::1", "fe80::1%eth0", "fc00::1", "::",
    "::ffff:127.0.0.1", "::ffff:10.0.0.1",  # IPv4-mapped
    "::127.0.0.1", "::10.0.0.1",  # IPv4-compatible
    "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe", "64:ff9b::192.168.1.1",  # NAT64
    "64:ff9b:1::808:808",  # local-use NAT64 prefix
    "2002:7f00:1::1", "2002:a00:1::",  # 6to4
    "::ffff:0:7f00:1",  # SIIT
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
    "not an address",
]  # fmt: skip
PUBLIC = ["8.8.8.8", "93.184.216.34", "2606:4700:4700::1111", "64:ff9b::808:808",
          "2002:808:808::1"]  # fmt: skip


@pytest.mark.parametrize("address", REFUSED)
def test_private_loopback_and_their_ipv6_disguises_are_refused(address: str) -> None:
    assert not is_public(address)


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_pass(address: str) -> None:
    assert is_public(address)


def test_one_private_address_among_public_ones_is_enough_to_refuse() -> None:
    assert first_refused(["8.8.8.8", "::ffff:127.0.0.1"]) == "::ffff:127.0.0.1"
    assert first_refused(["8.8.8.8", "2606:4700:4700::1111"]) is None
