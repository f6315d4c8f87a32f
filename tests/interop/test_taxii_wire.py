"""TAXII on the wire, pure parts: timestamps, content negotiation, cursors, STIX patterns."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tocsin.errors import InvalidInput
from tocsin.indicators.types import IndicatorType
from tocsin.interop.stix import indicator_pattern
from tocsin.interop.taxii.http import accepts_taxii, is_taxii_body
from tocsin.interop.taxii.query import decode_next, encode_next
from tocsin.interop.taxii.stamps import format_us, parse_us, to_us
from tocsin.interop.taxii.store import check_object

moments = st.datetimes(
    min_value=datetime(1970, 1, 1), max_value=datetime(9999, 1, 1), timezones=st.just(UTC)
)


@given(moments)
def test_microsecond_stamps_round_trip(moment: datetime) -> None:
    us = to_us(moment)
    assert parse_us(format_us(us)) == us
    assert datetime.fromisoformat(format_us(us).replace("Z", "+00:00")) == moment


@given(st.integers(min_value=0, max_value=2**62))
def test_next_tokens_round_trip(position: int) -> None:
    assert decode_next(encode_next(position)) == position


def test_stamp_precision_and_rejects() -> None:
    assert parse_us("2026-01-01T00:00:00Z") + 123_000 == parse_us("2026-01-01T00:00:00.123Z")
    assert parse_us("2026-01-01T00:00:00.123456789Z") == parse_us("2026-01-01T00:00:00.123456Z")
    for bad in ("2026-01-01", "2026-01-01T00:00:00", "2026-01-01T00:00:00+01:00", "now"):
        with pytest.raises(ValueError):
            parse_us(bad)


@pytest.mark.parametrize("token", ["", "abc", "dDEyYQ", "!!"])
def test_foreign_next_tokens_are_refused(token: str) -> None:
    with pytest.raises(InvalidInput):
        decode_next(token)


@pytest.mark.parametrize(
    ("header", "ok"),
    [
        (None, True),
        ("*/*", True),
        ("application/*", True),
        ("application/taxii+json;version=2.1", True),
        ("application/taxii+json; version=2.1", True),
        ("application/taxii+json", True),
        ("text/html, application/taxii+json;version=2.1;q=0.9", True),
        ("application/taxii+json;version=2.0", False),
        ("application/json", False),
        ("application/stix+json;version=2.1", False),
        ("application/taxii+json;version=2.1;q=0", False),
    ],
)
def test_accept_negotiation(header: str | None, ok: bool) -> None:
    assert accepts_taxii(header) is ok


def test_content_type_must_be_taxii() -> None:
    assert is_taxii_body("application/taxii+json;version=2.1")
    assert not is_taxii_body("application/json")
    assert not is_taxii_body(None)


@pytest.mark.parametrize(
    ("kind", "value", "pattern"),
    [
        (IndicatorType.IPV4, "203.0.113.7", "[ipv4-addr:value = '203.0.113.7']"),
        (IndicatorType.CIDR, "2001:db8::/32", "[ipv6-addr:value = '2001:db8::/32']"),
        (IndicatorType.SHA1, "a" * 40, "[file:hashes.'SHA-1' = '" + "a" * 40 + "']"),
        (IndicatorType.FILENAME, "it's.exe", "[file:name = 'it\\'s.exe']"),
        (IndicatorType.EMAIL, "x@example.org", "[email-addr:value = 'x@example.org']"),
    ],
)
def test_patterns(kind: IndicatorType, value: str, pattern: str) -> None:
    assert indicator_pattern(kind, value) == pattern


@pytest.mark.parametrize(
    ("obj", "reason"),
    [
        ([], "JSON object"),
        ({"id": "indicator--x"}, "type"),
        ({"type": "indicator", "id": "malware--00000000-0000-0000-0000-000000000001"}, "id"),
        ({"type": "indicator", "id": "indicator--nope"}, "badly formed"),
        (
            {
                "type": "x-y",
                "id": "x-y--00000000-0000-0000-0000-000000000001",
                "spec_version": "3.0",
            },
            "spec_version",
        ),
        (
            {
                "type": "x-y",
                "id": "x-y--00000000-0000-0000-0000-000000000001",
                "modified": "yesterday",
            },
            "timestamp",
        ),
    ],
)
def test_bad_objects_say_why(obj: object, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        check_object(obj)
