"""Loading indicator files: every format, defanged values, and the fast path's agreement."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.indicators.strategies import cidrs, domains, hashes, ipv4s, mixed_case_domains
from tocsin.indicators.normalize import normalize_any
from tocsin.sweep.loading import classify, load_text


@settings(deadline=None)  # the first call loads the public suffix list
@given(st.one_of(domains, mixed_case_domains, ipv4s, hashes))
def test_fast_path_agrees_with_the_indicator_core(value: str) -> None:
    kind, canonical = normalize_any(value)
    assert classify(value) == (kind.value, canonical)


@settings(deadline=None)
@given(st.lists(st.one_of(domains, ipv4s, hashes), max_size=20))
def test_bulk_plain_list_agrees_with_one_by_one(values: list[str]) -> None:
    loaded = load_text("\n".join(values))
    one_by_one = {classify(value) for value in values}
    found = {("domain", d) for d in loaded.indicators.domains}
    found |= {(("ipv6" if ":" in ip else "ipv4"), ip) for ip in loaded.indicators.ips}
    found |= {(kind, digest) for digest, kind in loaded.indicators.hashes.items()}
    assert found == one_by_one


def test_plain_list_accepts_defanged_values_comments_and_reports_refusals() -> None:
    text = """# shared by the regional CERT
evil[.]com
hxxps://bad[.]example/login
45.9.8[.]0/24
Invoice[@]Evil.com
D41D8CD98F00B204E9800998ECF8427E
not an indicator at all
"""
    loaded = load_text(text)
    assert loaded.indicators.domains == {"evil.com"}
    assert loaded.indicators.urls == {"https://bad.example/login"}
    assert loaded.indicators.emails == {"invoice@evil.com"}
    assert loaded.indicators.hashes == {"d41d8cd98f00b204e9800998ecf8427e": "md5"}
    assert loaded.indicators.networks[(4, 24)] == {int.from_bytes(bytes([45, 9, 8])): "45.9.8.0/24"}
    assert len(loaded.indicators) == 5
    assert [value for value, _ in loaded.rejected] == ["not an indicator at all"]


def test_csv_type_value() -> None:
    loaded = load_text("type,value\ndomain,Evil.COM\nip,2001:DB8::1\nip,10.0.0.0/8\nsha1,X\n")
    assert loaded.indicators.domains == {"evil.com"}
    assert loaded.indicators.ips == {"2001:db8::1"}
    assert sum(len(bucket) for bucket in loaded.indicators.networks.values()) == 1
    assert loaded.rejected and loaded.rejected[0][0] == "X"


def test_stix_bundle_patterns_and_expiry() -> None:
    bundle = {
        "type": "bundle",
        "id": "bundle--1",
        "objects": [
            {
                "type": "indicator",
                "pattern_type": "stix",
                "pattern": "[domain-name:value = 'evil.com'] OR [ipv4-addr:value = '45.9.8.0/24']",
            },
            {
                "type": "indicator",
                "pattern_type": "stix",
                "pattern": "[file:hashes.'SHA-256' = "
                "'FCDE2B2EDBA56BF408601FB721FE9B5C338D10EE429EA04FAE5511B68FBF8FB9']",
            },
            {
                "type": "indicator",
                "pattern_type": "stix",
                "valid_until": "2001-01-01T00:00:00Z",
                "pattern": "[domain-name:value = 'expired.example.com']",
            },
            {"type": "domain-name", "value": "observed.example.org"},
        ],
    }
    loaded = load_text(json.dumps(bundle))
    assert loaded.indicators.domains == {"evil.com", "observed.example.org"}
    assert set(loaded.indicators.hashes) == {
        "fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9"
    }
    assert sum(len(bucket) for bucket in loaded.indicators.networks.values()) == 1


def test_misp_event_attributes_objects_and_composites() -> None:
    event = {
        "Event": {
            "Attribute": [
                {"type": "domain", "value": "evil.com"},
                {"type": "ip-dst", "value": "45.9.8.7"},
                {"type": "comment", "value": "ignored"},
            ],
            "Object": [
                {
                    "Attribute": [
                        {"type": "filename|md5", "value": "a.exe|d41d8cd98f00b204e9800998ecf8427e"},
                        {"type": "email-src", "value": "x@evil.com"},
                    ]
                }
            ],
        }
    }
    loaded = load_text(json.dumps(event))
    assert loaded.indicators.domains == {"evil.com"}
    assert loaded.indicators.ips == {"45.9.8.7"}
    assert loaded.indicators.hashes == {"d41d8cd98f00b204e9800998ecf8427e": "md5"}
    assert loaded.indicators.emails == {"x@evil.com"}


@settings(deadline=None)
@given(cidrs.filter(lambda c: ":" not in c))
def test_fast_cidr_agrees_with_the_indicator_core(network: str) -> None:
    kind, canonical = normalize_any(network)
    assert classify(network) == (kind.value, canonical)
