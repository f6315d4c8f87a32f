"""Properties of normalisation, refanging and domain matching over generated indicators."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tests.indicators import strategies as gen
from tocsin.indicators.normalize import defang, matches_domain, normalize, refang
from tocsin.indicators.types import IndicatorType

T = IndicatorType
HASH_TYPES = {32: T.MD5, 40: T.SHA1, 64: T.SHA256}


def assert_idempotent(kind: IndicatorType, value: str) -> str:
    once = normalize(kind, value)
    assert normalize(kind, once) == once
    return once


@given(gen.ipv4s)
def test_ipv4_idempotent(value: str) -> None:
    assert assert_idempotent(T.IPV4, value) == value


@given(gen.ipv6s)
def test_ipv6_idempotent(value: str) -> None:
    assert_idempotent(T.IPV6, value.upper())


@given(gen.cidrs)
def test_cidr_idempotent(value: str) -> None:
    assert "/" in assert_idempotent(T.CIDR, value)


@given(gen.mixed_case_domains)
def test_domain_idempotent_and_lowercase(value: str) -> None:
    assert assert_idempotent(T.DOMAIN, value) == value.lower()


@given(gen.urls)
def test_url_idempotent(value: str) -> None:
    once = assert_idempotent(T.URL, value)
    scheme, _, rest = once.partition("://")
    netloc = rest.split("/", 1)[0]
    assert scheme == scheme.lower()
    assert not netloc.endswith({"http": ":80", "https": ":443"}.get(scheme, "never"))


@given(gen.hashes)
def test_hash_idempotent(value: str) -> None:
    assert assert_idempotent(HASH_TYPES[len(value)], value) == value.lower()


@given(
    st.one_of(
        gen.urls.map(lambda v: (T.URL, normalize(T.URL, v))),
        gen.domains.map(lambda v: (T.DOMAIN, v)),
        gen.ipv4s.map(lambda v: (T.IPV4, v)),
        gen.cidrs.map(lambda v: (T.CIDR, normalize(T.CIDR, v))),
        st.tuples(gen.label, gen.domains).map(lambda p: (T.EMAIL, f"{p[0]}@{p[1]}")),
        gen.hashes.map(lambda v: (HASH_TYPES[len(v)], v.lower())),
    )
)
def test_refang_undoes_defang(pair: tuple[IndicatorType, str]) -> None:
    kind, value = pair
    shown = defang(value, kind)
    assert refang(shown) == value
    if kind is not T.IPV6 and "." in value:
        assert "." not in shown.replace("[.]", "")


@given(st.text(max_size=200))
def test_refang_is_idempotent(text: str) -> None:
    once = refang(text)
    assert refang(once) == once


@given(gen.domains, st.lists(gen.label, max_size=3), gen.label)
def test_matches_domain_respects_label_boundaries(domain: str, subs: list[str], glued: str) -> None:
    assert matches_domain(domain, domain)
    assert matches_domain(domain, ".".join([*subs, domain]))
    assert not matches_domain(domain, glued + domain)
    assert not matches_domain(domain + ".evil", domain)
