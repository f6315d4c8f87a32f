"""STIX patterns back to indicators (pure): every exported pattern reads back to its value."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tocsin.indicators.types import IndicatorType
from tocsin.interop.stix import indicator_pattern
from tocsin.interop.stix_patterns import UnsupportedPattern, indicators_of

PATTERN_TYPES = [t for t in IndicatorType if t is not IndicatorType.CVE]


@given(kind=st.sampled_from(PATTERN_TYPES), value=st.text(min_size=1, max_size=200))
def test_an_exported_pattern_reads_back_to_its_value(kind: IndicatorType, value: str) -> None:
    if kind is IndicatorType.CIDR and "/" not in value:
        value += "/24"
    read = indicators_of(indicator_pattern(kind, value))
    expected = kind
    if kind in (IndicatorType.IPV4, IndicatorType.IPV6) and "/" in value:
        expected = IndicatorType.CIDR
    assert read == [(expected, value)]


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("[ipv4-addr:value = '198.51.100.1']", [(IndicatorType.IPV4, "198.51.100.1")]),
        ("[ipv6-addr:value = '2001:db8::/32']", [(IndicatorType.CIDR, "2001:db8::/32")]),
        ("[file:hashes.MD5 = 'ab'] OR [file:hashes.SHA256 = 'cd']",
         [(IndicatorType.MD5, "ab"), (IndicatorType.SHA256, "cd")]),
        ("[file:hashes.'SHA-1' = 'ef' AND file:name = 'a.exe']",
         [(IndicatorType.SHA1, "ef"), (IndicatorType.FILENAME, "a.exe")]),
        ("[email-message:from_ref.value = 'x@example.org']",
         [(IndicatorType.EMAIL, "x@example.org")]),
    ],
)  # fmt: skip
def test_comparison_patterns_of_other_producers(
    pattern: str, expected: list[tuple[IndicatorType, str]]
) -> None:
    assert indicators_of(pattern) == expected


@pytest.mark.parametrize(
    "pattern",
    [
        "[file:name MATCHES '^inv.*$']",
        "[ipv4-addr:value = '10.0.0.1'] REPEATS 5 TIMES",
        "[process:name = 'evil.exe']",
        "[network-traffic:dst_port = 4444]",
    ],
)
def test_valid_patterns_without_a_tocsin_type_are_kept_not_refused(pattern: str) -> None:
    with pytest.raises(UnsupportedPattern):
        indicators_of(pattern)


@pytest.mark.parametrize(
    "pattern", ["[ipv4-addr:value = '10.0.0.1'", "ipv4-addr:value = '1.1.1.1'", "[nonsense]"]
)
def test_invalid_patterns_are_refused(pattern: str) -> None:
    with pytest.raises(ValueError, match="invalid STIX pattern"):
        indicators_of(pattern)


DEEP = "(" * 400 + "[file:name MATCHES 'a']"  # unbalanced and past Python's recursion limit


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        (DEEP, "nested deeper than"),
        (DEEP + ")" * 400, "nested deeper than"),
        ("(" * 5000 + "[domain-name:value = 'evil.example']", "nested deeper than"),
        ("[file:name MATCHES 'a'])", "unbalanced"),
        ("([domain-name:value = 'evil.example']", "unbalanced"),
        ("[file:name = 'a]", "not closed"),
    ],
)
def test_a_deep_or_unbalanced_pattern_is_refused_before_it_is_parsed(
    pattern: str, reason: str
) -> None:
    with pytest.raises(ValueError, match=reason):
        indicators_of(pattern)


def test_brackets_inside_quoted_values_do_not_count() -> None:
    pattern = "[file:name = 'a)(\\'[' OR file:name = 'b]']"
    assert indicators_of(pattern) == [
        (IndicatorType.FILENAME, "a)('["),
        (IndicatorType.FILENAME, "b]"),
    ]
    nested = "(" * 30 + "[file:name MATCHES 'a']" + ")" * 30
    with pytest.raises(UnsupportedPattern):
        indicators_of(nested)  # deep but within the bound: read by the reference parser
