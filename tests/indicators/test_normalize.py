"""Canonical forms, validation reasons, refanging and detection of indicators."""

from __future__ import annotations

import pytest

from tocsin.indicators.normalize import (
    defang,
    detect_type,
    matches_domain,
    normalize,
    normalize_any,
    refang,
    registered_domain,
)
from tocsin.indicators.types import IndicatorError, IndicatorType

T = IndicatorType

VALID = [
    (T.IPV4, " 192.0.2.1 ", "192.0.2.1"),
    (T.IPV4, "1.2.3[.]4", "1.2.3.4"),
    (T.IPV6, "2001:DB8:0:0:0:0:0:1", "2001:db8::1"),
    (T.IPV6, "[2001:db8::1]", "2001:db8::1"),
    (T.IPV6, "::ffff:1.2.3.4", "::ffff:102:304"),
    (T.CIDR, "10.1.2.3/8", "10.0.0.0/8"),
    (T.CIDR, "192.0.2.7", "192.0.2.7/32"),
    (T.CIDR, "2001:DB8::1/32", "2001:db8::/32"),
    (T.CIDR, "2001:db8::1", "2001:db8::1/128"),
    (T.DOMAIN, "Evil.COM.", "evil.com"),
    (T.DOMAIN, "BÜCHER.example", "xn--bcher-kva.example"),
    (T.DOMAIN, "_dmarc.example.org", "_dmarc.example.org"),
    (T.DOMAIN, "evil[.]com", "evil.com"),
    (T.URL, "hxxp://evil[.]com", "http://evil.com/"),
    (
        T.URL,
        "HTTPS://Bücher.Example:443/a%2fb?q=%3d#top",
        "https://xn--bcher-kva.example/a%2Fb?q=%3D",
    ),
    (T.URL, "http://EVIL.com:80/x", "http://evil.com/x"),
    (T.URL, "http://evil.com:8080", "http://evil.com:8080/"),
    (T.URL, "https://[2001:DB8::1]:8443/p", "https://[2001:db8::1]:8443/p"),
    (T.URL, "http://192.0.2.1/x", "http://192.0.2.1/x"),
    (T.URL, "fxp://files.example.org/a", "ftp://files.example.org/a"),
    (T.EMAIL, "User[@]Evil[.]com", "user@evil.com"),
    (T.EMAIL, "a.b+c@BÜCHER.example", "a.b+c@xn--bcher-kva.example"),
    (T.MD5, "D41D8CD98F00B204E9800998ECF8427E", "d41d8cd98f00b204e9800998ecf8427e"),
    (
        T.SHA1,
        "da39a3ee5e6b4b0d3255bfef95601890afd80709",
        "da39a3ee5e6b4b0d3255bfef95601890afd80709",
    ),
    (
        T.SHA256,
        "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    ),
    (T.FILENAME, "  Invoice 2024.PDF.exe ", "Invoice 2024.PDF.exe"),
    (T.CVE, "cve-2021-44228", "CVE-2021-44228"),
    (T.CVE, "CVE-2024-1234567", "CVE-2024-1234567"),
]

INVALID = [
    (T.IPV4, "256.1.1.1", "not a valid IPv4 address"),
    (T.IPV4, "01.2.3.4", "not a valid IPv4 address"),
    (T.IPV6, "2001:db8::g", "not a valid IPv6 address"),
    (T.CIDR, "10.0.0.0/33", "CIDR"),
    (T.DOMAIN, "localhost", "at least two labels"),
    (T.DOMAIN, "1.2.3.4", "cannot be all digits"),
    (T.DOMAIN, "a..com", "1-63 letters"),
    (T.DOMAIN, "ev!l.com", "1-63 letters"),
    (T.DOMAIN, ("a" * 64) + ".com", "1-63 letters"),
    (T.DOMAIN, ".".join(["abcdefghi"] * 26), "at most 253"),
    (T.DOMAIN, "xn--zz.com", "punycode"),
    (T.URL, "evil.com/path", "scheme"),
    (T.URL, "http:///path", "host"),
    (T.URL, "http://evil.com/a b", "spaces"),
    (T.URL, "http://evil.com:99999/", "not a valid URL"),
    (T.EMAIL, "evil.com", "local part"),
    (T.EMAIL, "user@localhost", "at least two labels"),
    (T.MD5, "d41d8cd98f00b204e9800998ecf8427", "32 hexadecimal"),
    (T.SHA1, "z" * 40, "40 hexadecimal"),
    (T.SHA256, "a" * 63, "64 hexadecimal"),
    (T.FILENAME, "C:\\Users\\x\\evil.exe", "bare file name"),
    (T.FILENAME, "/tmp/evil.sh", "bare file name"),
    (T.FILENAME, "a\x00b", "NUL"),
    (T.FILENAME, "   ", "1 to 255"),
    (T.FILENAME, "a" * 256, "1 to 255"),
    (T.CVE, "CVE-21-1234", "CVE-YYYY-NNNN"),
    (T.CVE, "CVE-2021-123", "CVE-YYYY-NNNN"),
]


@pytest.mark.parametrize(("kind", "raw", "expected"), VALID)
def test_normalize_valid(kind: IndicatorType, raw: str, expected: str) -> None:
    assert normalize(kind, raw) == expected
    assert normalize(kind.value, raw) == expected


@pytest.mark.parametrize(("kind", "raw", "reason"), INVALID)
def test_normalize_invalid_names_the_reason(kind: IndicatorType, raw: str, reason: str) -> None:
    with pytest.raises(IndicatorError, match=reason) as caught:
        normalize(kind, raw)
    assert reason in caught.value.reason


def test_unknown_type_is_an_indicator_error() -> None:
    with pytest.raises(IndicatorError, match="unknown indicator type"):
        normalize("asn", "AS64496")


@pytest.mark.parametrize(
    ("defanged", "refanged"),
    [
        ("hxxp://evil[.]com", "http://evil.com"),
        ("HXXPS[://]evil(.)com", "https://evil.com"),
        ("1.2.3[.]4", "1.2.3.4"),
        ("user[@]evil[.]com", "user@evil.com"),
        ("user[at]evil(dot)com", "user@evil.com"),
        ("user(at)evil{.}com", "user@evil.com"),
        ("evil[dot]com and evil[ dot ]org", "evil.com and evil.org"),
        ("evil\\.com", "evil.com"),
        ("hxxp[:]//evil[.]com", "http://evil.com"),
        ("fxp://files[.]evil[.]com", "ftp://files.evil.com"),
        ("we dot not touch prose", "we dot not touch prose"),
        ("[[.]]", "."),
    ],
)
def test_refang(defanged: str, refanged: str) -> None:
    assert refang(defanged) == refanged
    assert refang(refanged) == refanged


@pytest.mark.parametrize(
    ("kind", "value", "shown"),
    [
        (T.URL, "https://evil.com/a.php", "hxxps://evil[.]com/a[.]php"),
        (T.DOMAIN, "evil.com", "evil[.]com"),
        (T.IPV4, "1.2.3.4", "1[.]2[.]3[.]4"),
        (T.EMAIL, "a@evil.com", "a[@]evil[.]com"),
        (T.MD5, "d41d8cd98f00b204e9800998ecf8427e", "d41d8cd98f00b204e9800998ecf8427e"),
    ],
)
def test_defang(kind: IndicatorType, value: str, shown: str) -> None:
    assert defang(value, kind) == shown
    assert refang(shown) == value


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("hxxp://evil[.]com/x", T.URL),
        ("user@evil.com", T.EMAIL),
        ("10.0.0.0/8", T.CIDR),
        ("1.2.3[.]4", T.IPV4),
        ("2001:db8::1", T.IPV6),
        ("cve-2021-44228", T.CVE),
        ("d41d8cd98f00b204e9800998ecf8427e", T.MD5),
        ("da39a3ee5e6b4b0d3255bfef95601890afd80709", T.SHA1),
        ("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", T.SHA256),
        ("evil.co.uk", T.DOMAIN),
        ("evil.zip", T.DOMAIN),
        ("report.pdf", T.FILENAME),
        ("intranet.local", T.FILENAME),
        ("hello", None),
        ("abc123", None),
        ("user@localhost", None),
        ("a/b/c", None),
    ],
)
def test_detect_type(value: str, kind: IndicatorType | None) -> None:
    assert detect_type(value) == kind


def test_normalize_any() -> None:
    assert normalize_any(" HXXPS://Evil[.]com ") == (T.URL, "https://evil.com/")
    with pytest.raises(IndicatorError, match="not a recognised indicator"):
        normalize_any("hello")


@pytest.mark.parametrize(
    ("domain", "parent"),
    [
        ("a.b.evil.co.uk", "evil.co.uk"),
        ("evil.com", "evil.com"),
        ("www.xn--bcher-kva.de", "xn--bcher-kva.de"),
        ("host.internal.example", "host.internal.example"),
    ],
)
def test_registered_domain(domain: str, parent: str) -> None:
    assert registered_domain(domain) == parent


@pytest.mark.parametrize(
    ("indicator", "candidate", "expected"),
    [
        ("evil.com", "evil.com", True),
        ("evil.com", "a.evil.com", True),
        ("evil.com", "a.b.evil.com", True),
        ("evil.com", "notevil.com", False),
        ("evil.com", "evil.com.au", False),
        ("a.evil.com", "evil.com", False),
    ],
)
def test_matches_domain(indicator: str, candidate: str, expected: bool) -> None:
    assert matches_domain(indicator, candidate) is expected
