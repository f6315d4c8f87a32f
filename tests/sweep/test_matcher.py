"""Property tests of the matcher's rules, and agreement with tocsin.indicators."""

from __future__ import annotations

import ipaddress

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.indicators.strategies import cidrs, domains, ipv4s, ipv6s, label, urls
from tocsin.indicators.normalize import matches_domain, normalize
from tocsin.sweep.base import SKIP
from tocsin.sweep.matcher import IndicatorSet
from tocsin.sweep.readers_text import SquidReader
from tocsin.sweep.records import Record
from tocsin.sweep.scan import Scanner, Tally


def _domains(*values: str) -> IndicatorSet:
    indicators = IndicatorSet()
    for value in values:
        indicators.add("domain", normalize("domain", value))
    return indicators


@given(domains, st.lists(label, max_size=3))
def test_a_domain_matches_itself_and_every_subdomain(indicator: str, prefix: list[str]) -> None:
    candidate = ".".join([*prefix, indicator])
    indicators = _domains(indicator)
    assert ("domain", indicator) in indicators.domain_hits(candidate)
    assert indicators.host_is_candidate(candidate.encode())


@given(domains, st.text(alphabet="abcdefghij0123456789-_", min_size=1, max_size=8))
def test_a_longer_label_never_matches(indicator: str, glued: str) -> None:
    candidate = glued + indicator  # notevil.com against evil.com
    indicators = _domains(indicator)
    assert indicators.domain_hits(candidate) == []
    assert not indicators.host_is_candidate(candidate.encode())


@given(domains, domains)
def test_domain_rule_agrees_with_the_indicator_core(indicator: str, candidate: str) -> None:
    indicators = _domains(indicator)
    expected = matches_domain(indicator, candidate)
    assert (("domain", indicator) in indicators.domain_hits(candidate)) == expected
    assert indicators.host_is_candidate(candidate.encode()) == expected


@given(domains)
def test_a_parent_of_the_indicator_does_not_match(indicator: str) -> None:
    parent = indicator.split(".", 1)[1]
    assert _domains(indicator).domain_hits(parent) == []


@given(cidrs, st.one_of(ipv4s, ipv6s))
def test_cidr_rule_is_network_membership(network: str, address: str) -> None:
    indicators = IndicatorSet()
    canonical = normalize("cidr", network)
    indicators.add("cidr", canonical)
    inside = ipaddress.ip_address(address) in ipaddress.ip_network(canonical)
    assert (("cidr", canonical) in indicators.ip_hits(address)) == inside


@given(cidrs)
def test_the_first_and_last_address_of_a_network_match(network: str) -> None:
    indicators = IndicatorSet()
    canonical = normalize("cidr", network)
    indicators.add("cidr", canonical)
    parsed = ipaddress.ip_network(canonical)
    assert ("cidr", canonical) in indicators.ip_hits(str(parsed.network_address))
    assert ("cidr", canonical) in indicators.ip_hits(str(parsed.broadcast_address))


@given(ipv6s)
def test_ipv6_matches_whatever_its_spelling(address: str) -> None:
    indicators = IndicatorSet()
    indicators.add("ipv6", normalize("ipv6", address))
    exploded = ipaddress.IPv6Address(address).exploded.upper()
    assert indicators.ip_hits(exploded) == [("ipv6", normalize("ipv6", address))]


@given(urls)
def test_urls_match_after_normalisation(url: str) -> None:
    indicators = IndicatorSet()
    canonical = normalize("url", url)
    indicators.add("url", canonical)
    assert ("url", canonical) in indicators.match(Record(urls=[url]))
    assert ("url", canonical) in indicators.match(Record(urls=[url + "#fragment"]))
    other = canonical.rstrip("/") + "/elsewhere"
    assert ("url", canonical) not in indicators.match(Record(urls=[other]))


def _squid_line(host: str, peer: str, index: int) -> str:
    url = f"{host}:443" if index % 3 == 0 else f"http://{host}/p?q={index}"
    method = "CONNECT" if index % 3 == 0 else "GET"
    return (
        f"1793000000.{index:03d} {index:>6} 10.0.0.1 TCP_MISS/200 10 {method} {url} - "
        f"HIER_DIRECT/{peer} text/html"
    )


@settings(deadline=None)
@given(
    st.lists(domains, min_size=1, max_size=3),
    st.lists(st.tuples(domains, ipv4s), min_size=1, max_size=30),
    st.lists(cidrs.filter(lambda c: ":" not in c), max_size=2),
)
def test_fast_path_finds_exactly_what_the_per_line_path_finds(
    listed: list[str], traffic: list[tuple[str, str]], networks: list[str]
) -> None:
    indicators = _domains(*listed)
    for network in networks:
        indicators.add("cidr", normalize("cidr", network))
    # half the traffic visits listed domains, some as subdomains, some as look-alikes
    lines = [
        _squid_line(
            (host, f"a.{listed[i % len(listed)]}", f"x{listed[i % len(listed)]}")[i % 3], peer, i
        )
        for i, (host, peer) in enumerate(traffic)
    ]
    block = ("\n".join(lines) + "\n").encode()
    reader = SquidReader()
    fast = Scanner(indicators).scan(reader, block, "s")
    assert fast.malformed == 0
    slow = Tally()
    Scanner(indicators)._slow(reader, block, "s", slow)
    assert {k: v.count for k, v in fast.sightings.items()} == {
        k: v.count for k, v in slow.sightings.items()
    }
    for line in lines:
        assert reader.parse(line) is not SKIP
